"""Where the write and read sides meet: the pool, migrations, embedded server and article record."""
