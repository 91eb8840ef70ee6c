# Documentation stays true to the code.
DOCS_TESTS = tests/test_docs_env_vars.sh tests/test_docs_man_lint.sh
dist_check_SCRIPTS += $(DOCS_TESTS)
TESTS += $(DOCS_TESTS)
