# System suites for datapathd itself (the dummy engine needs no root).
SYSTEM_TESTS += \
	tests/system/dummy-dp.sh \
	tests/system/dp-channel.sh
EXTRA_DIST += \
	tests/system/dummy-dp.sh \
	tests/system/dp-channel.sh
