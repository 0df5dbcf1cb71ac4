# libFuzzer targets
