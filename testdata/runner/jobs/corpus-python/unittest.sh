python3 -m unittest jsonschema.tests.test_cli jsonschema.tests.test_validators \
    jsonschema.tests.test_format
