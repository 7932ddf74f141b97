"""OpRegistry: rules found through the op class's MRO, and rows of a class by row key."""

import pytest
from toy_ops import Binary, Unary, add, exp, log, mul

from graphcore.registry import OpRegistry


def rule(label):
    """A rule that says which registration it came from."""
    return lambda *args: label


def test_a_subclass_inherits_its_base_class_rule():
    registry = OpRegistry("test")
    registry.register(Binary)(rule("binary"))
    assert registry.lookup(add)() == "binary"
    assert registry.lookup(exp)() == "binary"  # Unary is a Binary


def test_a_subclass_rule_overrides_the_base_class_rule():
    registry = OpRegistry("test")
    registry.register(Binary)(rule("binary"))
    assert registry.lookup(exp)() == "binary"  # looked up (and remembered) before the override
    registry.register(Unary)(rule("unary"))
    assert registry.lookup(exp)() == "unary"
    assert registry.lookup(log)() == "unary"
    assert registry.lookup(add)() == "binary"


def test_a_row_rule_beats_the_class_rule_and_an_unknown_row_falls_back():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Binary)(rule("any binary"))
    registry.register(Binary, key="Add")(rule("add row"))
    assert registry.lookup(add)() == "add row"
    assert registry.lookup(mul)() == "any binary"
    assert registry.lookup(Binary("Pow", pow))() == "any binary"


def test_a_row_without_a_class_rule_misses_for_other_rows():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Binary, key="Add")(rule("add row"))
    assert registry.lookup(add)() == "add row"
    assert registry.lookup(mul, None) is None


def test_subclasses_inherit_the_row_key_function():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Binary)(rule("any binary"))
    registry.register(Binary, key="Exp")(rule("exp row on Binary"))
    registry.register(Unary, key="Log")(rule("log row on Unary"))
    # Unary has no row key of its own: Binary's reads the rows of its ops.
    assert registry.lookup(exp)() == "exp row on Binary"
    assert registry.lookup(log)() == "log row on Unary"
    assert registry.lookup(Unary("Neg", None))() == "any binary"


def test_a_row_key_set_after_registration_takes_effect():
    registry = OpRegistry("test")
    registry.register(Binary)(rule("any binary"))
    registry.register(Binary, key="Add")(rule("add row"))
    assert registry.lookup(add)() == "any binary"  # no row key yet: rows are not read
    registry.row_key(Binary, lambda op: op.name)
    assert registry.lookup(add)() == "add row"


def test_an_unhashable_row_key_gets_the_class_rule():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: [op.name])
    registry.register(Binary)(rule("any binary"))
    assert registry.lookup(add)() == "any binary"


def test_a_miss_raises_a_lookup_error_naming_the_op_unless_a_default_is_given():
    registry = OpRegistry("C code")
    registry.register(Unary)(rule("unary"))
    with pytest.raises(LookupError, match=r"no C code rule is registered for Add \(class Binary\)"):
        registry.lookup(add)
    fallback = rule("fallback")
    assert registry.lookup(add, fallback) is fallback
    assert registry.lookup(add, None) is None
    assert add not in registry
    assert exp in registry


def test_a_miss_names_the_row_when_the_class_has_a_row_key():
    registry = OpRegistry("gradient")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Binary, key="Add")(rule("add row"))
    with pytest.raises(LookupError, match=r"for Mul \(class Binary, row 'Mul'\)"):
        registry.lookup(mul)


def test_registering_again_replaces_the_rule():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Binary)(rule("first"))
    registry.register(Binary, key="Add")(rule("first row"))
    assert (registry.lookup(mul)(), registry.lookup(add)()) == ("first", "first row")
    registry.register(Binary)(rule("second"))
    registry.register(Binary, key="Add")(rule("second row"))
    assert (registry.lookup(mul)(), registry.lookup(add)()) == ("second", "second row")
    assert list(registry) == [(Binary, None), (Binary, "Add")]


def test_register_returns_the_rule_and_refuses_an_instance():
    registry = OpRegistry("test")
    first = rule("first")
    assert registry.register(Binary)(first) is first
    with pytest.raises(TypeError, match="register takes an op class, got Add"):
        registry.register(add)  # type: ignore[arg-type]


def test_classes_and_rows_list_what_was_registered():
    registry = OpRegistry("test")
    registry.row_key(Binary, lambda op: op.name)
    registry.register(Unary)(rule("unary"))
    registry.register(Binary, key="Add")(rule("add row"))
    registry.register(Binary)(rule("any binary"))
    registry.register(Binary, key="Mul")(rule("mul row"))
    assert registry.classes() == [Unary, Binary]
    assert registry.rows(Binary) == ["Add", "Mul"]
    assert registry.rows(Unary) == []
    assert OpRegistry("empty").classes() == []
    assert repr(registry) == "<OpRegistry 'test': 4 rules>"
