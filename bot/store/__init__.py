"""The store: SQLAlchemy tables, the unit of work and its repositories. The only place with SQL."""
