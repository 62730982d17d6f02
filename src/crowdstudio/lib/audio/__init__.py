"""Audio measurement and mastering on float32 mono/stereo numpy arrays (no Django).

- `loudness`: ITU-R BS.1770-4 integrated loudness (LUFS) and true peak (dBTP).
- `master`: gain to a loudness target plus a look-ahead true-peak limiter.
"""
