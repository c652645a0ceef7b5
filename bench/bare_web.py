"""The yardstick of bench/web.py: a bare Flask app showing the register list's first 25 rows.

Run (bench/web.py starts it): RGPD_DATABASE_URL=... gunicorn --workers 2 'bench.bare_web:app'

No login, no session, no menu: one SQLAlchemy Core query of the rows the register's first
page shows (municipality name, processing, status, in the page's order), rendered by a small
Jinja table. What the real page costs beyond this is the application's own work.
"""

import os

from flask import Flask, render_template_string
from sqlalchemy import column, create_engine, select, table

PA = table("processing_activity", column("id"), column("controller_id"), column("name"),
           column("status"))  # fmt: skip
ORG = table("organisation", column("id"), column("name"))
FIRST_ROWS = (
    select(ORG.c.name.label("controller_name"), PA.c.id, PA.c.name, PA.c.status)
    .join(ORG, ORG.c.id == PA.c.controller_id)
    .order_by(ORG.c.name, ORG.c.id, PA.c.name, PA.c.id)
    .limit(25)
)
PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Registre des traitements</title></head>
<body><h1>Registre des traitements</h1>
<table>
  <thead><tr><th>Collectivité</th><th>Traitement</th><th>Statut</th></tr></thead>
  <tbody>
  {% for r in rows %}<tr><td>{{ r.controller_name }}</td>
    <td><a href="/register/{{ r.id }}">{{ r.name }}</a></td><td>{{ r.status }}</td></tr>
  {% endfor %}
  </tbody>
</table></body></html>"""

app = Flask(__name__)
engine = create_engine(
    os.environ["RGPD_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
)


@app.get("/register/")
def index():
    with engine.connect() as conn:
        rows = conn.execute(FIRST_ROWS).all()
    return render_template_string(PAGE, rows=rows)
