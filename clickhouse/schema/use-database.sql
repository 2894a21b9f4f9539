-- The embedded engine ignores the client's `database` option but keeps session state:
-- USE makes the unqualified table names of every other .sql file resolve there.
USE {database:Identifier}
