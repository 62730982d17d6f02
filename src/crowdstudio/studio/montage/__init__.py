"""The music-video montage (the "Director", issue 4).

`plan` is pure (no Django): it turns shots and a beat grid into an edit decision list.
`sources` reads the campaign's usable entries (the rights gate) and turns them into shots.
Rendering and beat detection build on these and live in their own modules.
"""
