# libFuzzer targets.  They are built with clang ($(FUZZ_CC), found by
# configure) outside the normal gcc build, from the sources directly rather
# than from the gcc-built libraries:
#
#   make fuzz                       builds every target
#   make fuzz-run FUZZ_SECONDS=60   runs each for FUZZ_SECONDS on a copy of
#                                   its seed corpus, prints
#                                   "fuzz TARGET: N execs", fails on a crash
#
# Seeds live in tests/fuzz/corpus/TARGET/ (make-seeds.py writes the flow
# ones); runs work on a copy under tests/fuzz/corpus-work/ in the build dir,
# and crash inputs land next to it as tests/fuzz/TARGET-crash-*.
FUZZ_TARGETS = \
	tests/fuzz/fuzz-flow-extract \
	tests/fuzz/fuzz-flow-parse \
	tests/fuzz/fuzz-dp-msg \
	tests/fuzz/fuzz-rule-parse
FUZZ_SECONDS = 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined \
	-I$(top_srcdir)/include -I$(top_srcdir) -I$(top_builddir)

FUZZ_UTIL_SRCS = \
	utilities/util.c utilities/ds.c utilities/error.c utilities/log.c \
	utilities/hmap.c
FUZZ_FLOW_SRCS = datapath/flow-key.c datapath/flow-text.c
FUZZ_DEPS_H = \
	datapath/flow.h datapath/dp-msg.h include/vswitch/flow-key.h \
	include/vswitch/dp-proto.h utilities/util.h utilities/ds.h \
	utilities/error.h utilities/log.h utilities/hmap.h config.h

EXTRA_DIST += \
	tests/fuzz/fuzz-flow-extract.c \
	tests/fuzz/fuzz-flow-parse.c \
	tests/fuzz/fuzz-dp-msg.c \
	tests/fuzz/fuzz-rule-parse.c \
	tests/fuzz/make-seeds.py \
	tests/fuzz/corpus
CLEANFILES += $(FUZZ_TARGETS) tests/fuzz/*.log

if HAVE_FUZZER
tests/fuzz/fuzz-flow-extract: tests/fuzz/fuzz-flow-extract.c \
		$(FUZZ_FLOW_SRCS) $(FUZZ_UTIL_SRCS) $(FUZZ_DEPS_H)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

tests/fuzz/fuzz-flow-parse: tests/fuzz/fuzz-flow-parse.c \
		$(FUZZ_FLOW_SRCS) $(FUZZ_UTIL_SRCS) $(FUZZ_DEPS_H)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

tests/fuzz/fuzz-dp-msg: tests/fuzz/fuzz-dp-msg.c datapath/dp-msg.c \
		datapath/flow-attrs.c $(FUZZ_FLOW_SRCS) $(FUZZ_UTIL_SRCS) \
		$(FUZZ_DEPS_H)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) $(LIBNL_CFLAGS) -o $@ \
		$(filter %.c,$^) $(LIBNL_LIBS)

tests/fuzz/fuzz-rule-parse: tests/fuzz/fuzz-rule-parse.c db/rule.c \
		$(FUZZ_UTIL_SRCS) $(FUZZ_DEPS_H) db/rule.h
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(filter %.c,$^)

fuzz: $(FUZZ_TARGETS)

# libFuzzer ends a timed run with "Done N runs in S second(s)"; a crash
# exits nonzero before that line.
fuzz-run: fuzz
	@fail=0; \
	for t in $(FUZZ_TARGETS); do \
	  name=$${t##*/}; \
	  work=tests/fuzz/corpus-work/$$name; \
	  log=tests/fuzz/$$name.log; \
	  rm -rf $$work && $(MKDIR_P) $$work || exit 1; \
	  if test -d $(srcdir)/tests/fuzz/corpus/$$name; then \
	    cp $(srcdir)/tests/fuzz/corpus/$$name/* $$work/ 2>/dev/null; \
	  fi; \
	  if ./$$t -max_total_time=$(FUZZ_SECONDS) \
	      -artifact_prefix=tests/fuzz/$$name- $$work >$$log 2>&1; then \
	    n=`sed -n 's/^Done \([0-9]*\) runs.*/\1/p' $$log | tail -n 1`; \
	    if test -n "$$n"; then \
	      echo "fuzz $$name: $$n execs"; \
	    else \
	      echo "fuzz $$name: no 'Done N runs' line in $$log"; fail=1; \
	    fi; \
	  else \
	    echo "fuzz $$name: FAILED, last lines of $$log:"; \
	    tail -n 30 $$log; fail=1; \
	  fi; \
	done; \
	exit $$fail
else
fuzz fuzz-run:
	@echo "$@: clang with libFuzzer was not found by configure" \
	      "(apt-get install clang)" >&2; exit 1
endif
.PHONY: fuzz fuzz-run
