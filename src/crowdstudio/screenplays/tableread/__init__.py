"""Table reads: a screenplay version read aloud by synthetic voices, one per character.

- `script.segments(screenplay)`: what is read, by whom, in which scene (pure);
- `casting.suggest(...)`: a distinct voice per speaking character and a narrator (pure);
- `render.render(...)`: synthesise, assemble with pauses, master, encode with chapters.

The Django side (request, background task, leases, views) lives in
screenplays/tableread_services.py, tasks.py and tableread_views.py.
"""
