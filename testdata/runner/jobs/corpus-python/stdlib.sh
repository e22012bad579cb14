python3 -m test test_json test_cmd_line_script test_py_compile
