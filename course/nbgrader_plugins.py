"""nbgrader plugins of the course, used when instructors run plain ``nbgrader`` commands."""

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.notebook import BEGIN_HIDDEN


class StripHiddenTracebacks(NbGraderPreprocessor):
    """Reduce error outputs of cells with hidden tests to their message.

    nbgrader's ClearHiddenTests removes the hidden source, but the traceback in the cell's output still
    quotes it line by line (nbgrader issues #917 and #1363). The message itself is for students.
    """

    def preprocess_cell(self, cell, resources, index):
        """Replace the traceback of an error in a hidden-test cell by its one-line message."""
        if cell.cell_type == "code" and BEGIN_HIDDEN in cell.source:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        return cell, resources
