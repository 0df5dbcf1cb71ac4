# libvsdb: the configuration database schema and typed access, plus the
# OpenFlow-style rule syntax (match/actions) used by vsctl and vswitchd.
noinst_LIBRARIES += db/libvsdb.a
db_libvsdb_a_SOURCES = \
	db/vsdb.h db/vsdb.c \
	db/rule.h db/rule.c
nodist_db_libvsdb_a_SOURCES = db/vsdb-sql.c

# What a program links to use libvsdb.
VSDB_LIBS = db/libvsdb.a utilities/libvswutil.a $(SQLITE_LIBS)

# The schema and the migrations are compiled into the library, so that a
# binary never depends on finding .sql files at run time.  Add each new
# db/migrations/NNN-*.sql here and to migrations[] in db/vsdb.c.
VSDB_SQL = \
	db/schema.sql \
	db/migrations/002-status-and-counters.sql
db/vsdb-sql.c: $(VSDB_SQL) db/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) db && $(SHELL) $(srcdir)/db/sql2c.sh \
	    vsdb_schema_sql=$(srcdir)/db/schema.sql \
	    vsdb_migrate_002_sql=$(srcdir)/db/migrations/002-status-and-counters.sql \
	    > $@.tmp && mv $@.tmp $@
BUILT_SOURCES += db/vsdb-sql.c
CLEANFILES += db/vsdb-sql.c
EXTRA_DIST += $(VSDB_SQL) db/sql2c.sh db/migrations/schema-v1.sql
