# nbgrader settings of the course (loaded by ../nbgrader_config.py and by the `course` command).
c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "backprop-from-scratch"
# The assignment sequence lives in course/sequence.py; nbgrader finds notebooks by this pattern.
c.CourseDirectory.notebook_id = "*"
# Stubs that tell the student what to do.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError(\"replace this line with your code\")",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# How `course grade` runs each notebook (course/settings.py; README "Settings"). A course folder's own
# nbgrader_config.py may change them for that class, and `course grade` flags for one run.
c.GradingSettings.cell_timeout = 60  # seconds per cell
c.GradingSettings.notebook_timeout = 300  # seconds per notebook
c.GradingSettings.memory_mb = 2048  # memory cap per notebook
c.GradingSettings.processes = 64  # processes and threads per notebook
c.GradingSettings.workers = 0  # notebooks at once; 0: one per core
c.GradingSettings.sandbox = "bubblewrap"  # or "none": only for submissions you trust
c.GradingSettings.language = "en"  # the edition students read: "en" or "ko" (course/editions.py)
# Plain `nbgrader autograde` stops cells at the same limit (only Execute.timeout counts in nbgrader 0.9).
c.Execute.timeout = int(c.GradingSettings.cell_timeout)
c.Execute.allow_errors = True
# Hidden test source never appears in feedback (nbgrader's default keeps it).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "course.nbgrader_plugins.StripHiddenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
]
