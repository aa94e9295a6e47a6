"""`agora view`: a local web app over the records agora writes (episodes, tournaments, training runs).

It reads, never rewrites, those files: an episode JSONL is indexed once into a SQLite file beside it
(`agora.view.index`), pages are rendered on the server by Jinja2 (`agora.view.pages`) with charts drawn
by matplotlib (`agora.view.charts`), served by Starlette and uvicorn (`agora.view.app`) or written as a
static copy (`agora.view.export`). Needs ``pip install 'agora[view]'``.
"""
