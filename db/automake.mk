# libvsdb: the configuration database schema and typed access, plus the
# OpenFlow-style rule syntax (match/actions) used by vsctl and vswitchd.
noinst_LIBRARIES += db/libvsdb.a
db_libvsdb_a_SOURCES =
EXTRA_DIST += db/schema.sql
