"""schema/teipress.xsd is a strict subset of TEI P5 (tei_all), loads offline in both
validators, and schema/README.md documents every element it declares."""

from __future__ import annotations

import random
import re
from functools import lru_cache

import pytest
from lxml import etree
from xmlschema.validators import XsdElement, XsdGroup

from conftest import REFERENCE, ROOT, require
from teipress.rules import RULES
from teipress.validate import Validator, schema_path

RNG = "http://relaxng.org/ns/structure/1.0"
XS = "http://www.w3.org/2001/XMLSchema"
TEI_ALL = REFERENCE / "tei" / "tei_all.rng"


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator()


def declared_elements() -> list[str]:
    root = etree.parse(str(schema_path())).getroot()
    return [e.get("name") for e in root.iterchildren(f"{{{XS}}}element")]


def test_the_schema_loads_offline_in_both_validators(validator):
    imports = etree.parse(str(schema_path())).getroot().findall(f"{{{XS}}}import")
    assert [i.get("schemaLocation") for i in imports] == ["http://www.w3.org/2001/xml.xsd"]
    assert validator.schema is not None
    assert validator.rich.elements["TEI"] is not None  # xmlschema, with allow="local": no network


def test_readme_documents_every_element_and_rule():
    readme = (ROOT / "schema" / "README.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `(\w+)` \|", readme, re.M))
    assert documented == set(declared_elements())
    section = readme.split("## Rules beyond the grammar")[1].split("\n## ")[0]
    assert set(re.findall(r"^\| `([a-z-]+)` \|", section, re.M)) == set(RULES)


# --- the subset property -------------------------------------------------------------------

@lru_cache(maxsize=1)
def tei_model() -> tuple[dict, dict]:
    """tei_all flattened: element -> the child element names and attribute names it allows."""
    root = etree.parse(str(TEI_ALL)).getroot()
    defines: dict[str, list] = {}
    for define in root.iter(f"{{{RNG}}}define"):
        defines.setdefault(define.get("name"), []).append(define)
    children: dict[str, set] = {}
    attributes: dict[str, set] = {}

    def walk(node, seen, elements, attrs):
        for child in node:
            if not isinstance(child.tag, str):
                continue
            kind = etree.QName(child).localname
            if kind == "element":
                elements.add(child.get("name"))
            elif kind == "attribute":
                name = child.get("name")
                if name is None:
                    name_el = child.find(f"{{{RNG}}}name")
                    prefix = "xml:" if name_el.get("ns") == "http://www.w3.org/XML/1998/namespace" else ""
                    name = prefix + name_el.text
                attrs.add(name)
            elif kind == "ref":
                if child.get("name") not in seen:
                    seen.add(child.get("name"))
                    for define in defines.get(child.get("name"), []):
                        walk(define, seen, elements, attrs)
            else:
                walk(child, seen, elements, attrs)

    for element in root.iter(f"{{{RNG}}}element"):
        name = element.get("name")
        if name:
            walk(element, set(), children.setdefault(name, set()), attributes.setdefault(name, set()))
    return children, attributes


def test_every_element_child_and_attribute_of_the_subset_is_allowed_by_tei_all(validator):
    """Set by set: what each of our elements may contain is allowed there by TEI."""
    require(TEI_ALL.exists(), f"{TEI_ALL} is absent (the shared reference folder)")
    tei_children, tei_attributes = tei_model()
    schema = validator.rich
    problems = []
    checked = 0
    for name in declared_elements():
        decl = schema.elements[name]
        if name not in tei_children:
            problems.append(f"<{name}> is not a TEI element")
            continue
        if decl.type.is_complex() and isinstance(decl.type.content, XsdGroup):
            for child in decl.type.content.iter_elements():
                local = etree.QName(child.name).localname
                checked += 1
                if local not in tei_children[name]:
                    problems.append(f"<{local}> in <{name}>")
                for attribute in child.type.attributes if child.ref is None else ():
                    if attribute and attribute.replace("{http://www.w3.org/XML/1998/namespace}", "xml:") \
                            not in tei_attributes[local]:
                        problems.append(f"@{attribute} on local <{local}> in <{name}>")
        for attribute in decl.type.attributes:
            if attribute is None:
                continue
            attribute = attribute.replace("{http://www.w3.org/XML/1998/namespace}", "xml:")
            checked += 1
            if attribute not in tei_attributes[name]:
                problems.append(f"@{attribute} on <{name}>")
    assert problems == []
    assert checked > 1500


class Sampler:
    """Random documents from the schema's own model (seeded, so a failure can be replayed)."""

    CANDIDATES = ["1958-09-09", "1958-09", "1958", "word", "en", "3", "#x", "https://example.org/a", "4.1", "x y"]

    def __init__(self, schema, seed: int, max_depth: int = 8, budget: int = 500):
        self.schema, self.rnd, self.max_depth, self.budget = schema, random.Random(seed), max_depth, budget
        self.ids = 0

    @staticmethod
    @lru_cache(maxsize=None)
    def _values(simple_type) -> tuple[str, ...]:
        pool = list(getattr(simple_type, "enumeration", None) or []) or Sampler.CANDIDATES
        return tuple(v for v in pool if simple_type.is_valid(v))

    def value(self, simple_type) -> str:
        if simple_type.name and simple_type.name.endswith("}ID"):
            self.ids += 1
            return f"id{self.ids}"
        return self.rnd.choice(self._values(simple_type))

    def exhausted(self, depth: int) -> bool:
        return depth >= self.max_depth or self.budget <= 0

    def repeat(self, particle, depth: int) -> int:
        low = particle.min_occurs
        high = particle.max_occurs if particle.max_occurs is not None else low + 3
        return low if self.exhausted(depth) else self.rnd.randint(low, min(high, low + 3))

    COSTS: dict[str, int] = {}

    def cost(self, particle, stack=()) -> int:
        """Fewest elements a particle needs (to end recursion as soon as possible)."""
        if isinstance(particle, XsdElement):
            name = particle.name
            if name in stack:
                return 10 ** 6
            if name not in self.COSTS:
                content = particle.type.content if particle.type.is_complex() else None
                inner = self.group_cost(content, stack + (name,)) if isinstance(content, XsdGroup) else 0
                self.COSTS[name] = 1 + inner
            return particle.min_occurs * self.COSTS[name]
        return particle.min_occurs * self.group_cost(particle, stack)

    def group_cost(self, group, stack) -> int:
        costs = [self.cost(p, stack) for p in group]
        return (min(costs) if costs else 0) if group.model == "choice" else sum(costs)

    def particles(self, group, depth: int) -> list:
        out = []
        for _ in range(self.repeat(group, depth)):
            items = list(group) if group.model != "choice" else [
                min(group, key=self.cost) if self.exhausted(depth) else self.rnd.choice(list(group))]
            for item in items:
                if isinstance(item, XsdGroup):
                    out += self.particles(item, depth)
                else:
                    out += [item] * self.repeat(item, depth)
        return out

    def element(self, decl, depth: int = 0) -> etree._Element:
        element = etree.Element(decl.name)
        self.budget -= 1
        kind = decl.type
        for name, attribute in kind.attributes.items():
            if name and (attribute.use == "required" or self.rnd.random() < 0.25):
                element.set(name, self.value(attribute.type))
        if kind.is_simple() or kind.has_simple_content():
            element.text = "text"
            return element
        if not isinstance(kind.content, XsdGroup):
            return element
        if kind.mixed and self.rnd.random() < 0.8:
            element.text = "text "
        for child in self.particles(kind.content, depth + 1):
            sub = self.element(child, depth + 1)
            if kind.mixed and self.rnd.random() < 0.5:
                sub.tail = " more"
            element.append(sub)
        return element


def test_documents_generated_from_the_schema_are_valid_tei(validator, tei_all):
    """Order as well as sets: random documents of our schema, every one valid against tei_all.

    (Run with more seeds when the schema changes: 2,000 documents covered 1,495 of the
    1,510 parent-child pairs the schema allows.)
    """
    schema = validator.rich
    seen = set()
    for seed in range(150):
        root = Sampler(schema, seed).element(schema.elements["TEI"])
        tree = etree.ElementTree(root)
        assert validator.schema.validate(tree), (seed, validator.schema.error_log)  # the sampler is right
        assert tei_all.validate(tree), (seed, tei_all.error_log)
        seen.update(etree.QName(e).localname for e in root.iter())
    assert seen == set(declared_elements())
