"""template_cache: a template is compiled once and its code loaded by every later process, with the same result; what
shapes the code (Ansible's backslash escaping, a template's own delimiters) keeps apart what it compiles apart, an
unreadable file is compiled again, and a template that fails to compile is never kept. Each run is an interpreter of its
own, as each task's worker is, whose Jinja environment no other test has changed."""

import json
import subprocess
import sys

from ansible_collections.shoppulse.analytics.plugins.callback import template_cache

from tests.roles.conftest import CHECKOUT

# Renders each case with ansible-core's public Templar, the store in place, and says what Jinja compiled from source.
RENDER = r"""
import json, sys
import jinja2
from ansible.plugins.loader import init_plugin_loader
init_plugin_loader([sys.argv[3]])
from ansible.template import Templar, trust_as_template
from ansible_collections.shoppulse.analytics.plugins.callback import template_cache

compiled = []
jinja_compile = jinja2.Environment.compile
def counting(self, source, *args, **kwargs):
    compiled.append(source if isinstance(source, str) else type(source).__name__)
    return jinja_compile(self, source, *args, **kwargs)
jinja2.Environment.compile = counting
installed = template_cache.install(template_cache.CodeStore(sys.argv[1]))

templar = Templar(variables={"a": 1, "names": ["x", "y"]})
results = []
for kind, text, *escape in json.loads(sys.argv[2]):
    try:
        if kind == "template":
            results.append(templar.template(trust_as_template(text), escape_backslashes=escape[0] if escape else True))
        else:
            results.append(templar.evaluate_conditional(trust_as_template(text)))
    except Exception as e:
        results.append(f"error: {type(e).__name__}")
print(json.dumps({"installed": installed, "results": results, "compiled": compiled}))
"""

CASES = (
    ["template", "{{ a + 1 }} {{ names | join(',') }}"],
    ["conditional", "a == 1 and names is sequence"],
    ["template", '{{ "\\n" | length }}', True],  # escaped by Ansible: a backslash and an n
    ["template", '{{ "\\n" | length }}', False],  # as Jinja reads it: one newline
    ["template", "#jinja2: variable_start_string: '[%', variable_end_string: '%]'\n[% a %] {{ a }}"],
    ["template", "[% a %] {{ a }}"],
)
EXPECTED = ["2 x,y", True, 2, 1, "1 {{ a }}", "[% a %] 1"]


def render(store, cases=CASES) -> dict:
    result = subprocess.run([sys.executable, "-c", RENDER, str(store), json.dumps(cases),
                             str(CHECKOUT / ".ansible" / "collections")],
                            capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


def test_a_template_is_compiled_once_and_every_later_process_loads_its_code(tmp_path):
    first = render(tmp_path)
    assert first["installed"] and first["results"] == EXPECTED
    assert len(first["compiled"]) == len(CASES)
    assert len(list(tmp_path.iterdir())) == len(CASES)  # the two escapings and the two delimiters kept apart

    again = render(tmp_path)
    assert again == {"installed": True, "results": EXPECTED, "compiled": []}


def test_an_unreadable_file_is_compiled_again_and_replaced(tmp_path):
    render(tmp_path)
    for kept in tmp_path.iterdir():
        kept.write_bytes(b"\x00not code")
    assert render(tmp_path)["results"] == EXPECTED
    assert render(tmp_path)["compiled"] == []


def test_a_template_that_does_not_compile_is_never_kept_and_fails_each_time(tmp_path):
    broken = [["template", "{{ a + }}"], ["conditional", "a =="], ["template", "{{ a | no_such_filter }}"]]
    failed = ["error: AnsibleTemplateSyntaxError"] * 3
    assert render(tmp_path, broken)["results"] == failed
    assert render(tmp_path, broken)["results"] == failed
    assert not list(tmp_path.iterdir())


def test_a_change_to_a_collection_filter_is_a_new_store(tmp_path):
    filters = tmp_path / "ansible_collections" / "acme" / "tools" / "plugins" / "filter"
    filters.mkdir(parents=True)
    (filters / "twice.py").write_text("# one\n", encoding="utf-8")
    first = template_cache.store_fingerprint([str(tmp_path)])
    assert template_cache.store_fingerprint([str(tmp_path)]) == first
    (filters / "twice.py").write_text("# and two\n", encoding="utf-8")
    assert template_cache.store_fingerprint([str(tmp_path)]) != first
