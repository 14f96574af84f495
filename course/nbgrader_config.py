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
# Only Execute.timeout sets the per-cell timeout in nbgrader 0.9 (ExecutePreprocessor.timeout is ignored).
c.Execute.timeout = 60
c.Execute.allow_errors = True
# Hidden test source never appears in feedback (nbgrader's default keeps it).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "course.nbgrader_plugins.StripHiddenTracebacks",
    "nbgrader.preprocessors.ClearHiddenTests",
]
