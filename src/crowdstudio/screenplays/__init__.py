"""Screenplays: Fountain and FDX in and out, industry-format pages, revisions with credit,
script reports, table reads and test movies.

Pure modules (no Django): `elements` (the document model every other module speaks),
`fountain` (parse and write), `inline` (emphasis), `fdx` (Final Draft), `layout` (pagination),
`pdf`, `html`, `report`, `diff`. The Django side: models, services, selectors, views, tasks.
"""
