"""The plan compiler: lowers the ops a signature needs to a small IR (`program`), rewrites it with
independent passes (`passes`), and generates one Python function that calls the kernels (`codegen`)."""
