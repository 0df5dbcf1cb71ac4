# unit tests: db (libvsdb and the rule syntax)
UNIT_TESTS += tests/unit/test-vsdb tests/unit/test-rule tests/unit/test-ctl-client

tests_unit_test_rule_SOURCES = tests/unit/test-rule.c
tests_unit_test_rule_LDADD = $(VSDB_LIBS) $(CMOCKA_LIBS)

# The control-socket client (utilities/ctl-client.c) that vsctl uses.
tests_unit_test_ctl_client_SOURCES = tests/unit/test-ctl-client.c
tests_unit_test_ctl_client_LDADD = utilities/libvswutil.a $(CMOCKA_LIBS)

# test-vsdb builds a version 1 database from db/migrations/schema-v1.sql
# to prove that the migrations still bring it forward.
tests_unit_test_vsdb_SOURCES = tests/unit/test-vsdb.c
nodist_tests_unit_test_vsdb_SOURCES = tests/unit/vsdb-v1-sql.c
tests_unit_test_vsdb_LDADD = $(VSDB_LIBS) $(CMOCKA_LIBS)
tests/unit/vsdb-v1-sql.c: db/migrations/schema-v1.sql db/sql2c.sh
	$(AM_V_GEN)$(MKDIR_P) tests/unit && $(SHELL) $(srcdir)/db/sql2c.sh \
	    vsdb_schema_v1_sql=$(srcdir)/db/migrations/schema-v1.sql \
	    > $@.tmp && mv $@.tmp $@
CLEANFILES += tests/unit/vsdb-v1-sql.c
