"""How a request is answered: the machinery between gunicorn and the views.

The rules of the planner (queues, notes, plans, sharing) live in `planner/`; this package
only makes pages arrive fast and correct, and nothing outside the views and settings knows
about it.

1. `warm`: gunicorn loads the app in its master and calls `warm()` before opening its port
   (imports every view, compiles every template, draws the signed-out catalog once, closes
   every database connection), so every forked worker starts as fast as its hundredth
   request; each answers one of its own before it takes any, and a retiring worker ends
   without freeing, object by object, the memory it shares with the master (`leave()`).
2. `sqlite`: the SQLite engine (WAL, IMMEDIATE transactions that queue in turn on a lock
   file); `postgresql`: Django's own, whose health check between requests sends its
   `SELECT 1` only when the server has said something since its last answer.
3. `session_store` and `backends`: the session row, the person it names (the session table
   has a column for it), their profile, their page token and the catalog's version in one
   query compiled once per connection (the version then stands for the rest of a GET:
   `middleware.OneRequest`).
4. `kept`: a page that can be kept is answered from the store every worker shares
   (`store`: files under data/kept) while the person's page token, the catalog version and
   its address are unchanged (database triggers change the tokens on every write), or
   with 304 when the browser already has it; otherwise the view draws it and it is kept.
   Resume points, which the player moves every 15 s, are filled in on the way out
   instead. `middleware` sets caching headers (kept pages `private, no-cache`, other
   personal pages `private, no-store`).
5. `context_processors` and `renderers`: what every template sees, and the form renderer.
"""
