"""What goes wrong when differentiating, each naming the variable or op at fault."""


class DisconnectedInputError(ValueError):
    """A variable asked for does not influence the cost."""


class GradientUndefinedError(TypeError):
    """The cost depends on a variable only through an op with no derivative there."""


class MissingGradientRuleError(TypeError):
    """An op on the path from the cost to a variable has no gradient rule."""


class GradientMismatchError(AssertionError):
    """``verify_grad``: the analytic and the numeric gradient disagree."""
