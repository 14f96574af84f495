# nbgrader configuration for running plain `nbgrader` commands from the repository root.
# The settings themselves live in course/nbgrader_config.py, shared with the `course` command.
c = get_config()  # noqa: F821
load_subconfig("course/nbgrader_config.py")  # noqa: F821
