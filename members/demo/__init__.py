"""The demo school: a plausible university built by `manage.py seed_demo`.

- `names`: name lists, places, majors' colleges and other raw material.
- `tree`: the organization tree (pure description, then created through the services).
- `people`: one person per index, a pure function of (seed, index, reference date).
- `detailed`: the small default population, created through the services with history.
- `bulk`: large populations (up to millions) written with COPY / bulk_create.
- `accounts`: one demo login per role.
- `transfers`: retention applications in every state, transfers with their letters and the
  mobile-member ledger, made through transfers/' services.
"""
