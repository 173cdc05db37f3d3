"""The database: engine and sessions, tables, migrations, leases between replicas, files kept private."""
