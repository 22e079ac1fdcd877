# The generic test process and its people, shared with the workflow tests.
from tests.workflow.conftest import expense, expense_hooks, make_definition, people  # noqa: F401
