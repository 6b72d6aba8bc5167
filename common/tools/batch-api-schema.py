#!/usr/bin/env python3
"""Writes the compact description of the Batch REST API that the gateway checks requests against.

    python3 common/tools/batch-api-schema.py <BatchService.json> > \
        common/src/main/resources/dev/lote/common/api/batch-api.json

From the Swagger 2.0 spec it keeps, for every operation, the method, the path template, the query
options and the definition of its body, and, for every definition a body can reach, the
properties with their JSON type, format, enum values, bounds and required names. Two limits that
the spec states only in prose become fields: "cannot contain more than 64 characters" with
"alphanumeric characters including hyphens and underscores" is an id ("id": true, at most 64),
and "up to a maximum length of N" is "maxLength": N.

Operations and properties that older api-versions still served by Lote have, and that the
2024-07-01.20.0 spec dropped (spec/version-diff.json of the reference pack), are added back so a
client of such a version is not refused.
"""
import json
import re
import sys

# Dropped after 2022-10-01.16.0 (sent by @azure/batch 10.2.0); see version-diff.json.
OLDER_OPERATIONS = [
    ("Job_GetAllLifetimeStatistics", "GET", "/lifetimejobstats", []),
    ("Pool_GetAllLifetimeStatistics", "GET", "/lifetimepoolstats", []),
    ("ComputeNode_GetRemoteDesktop", "GET", "/pools/{poolId}/nodes/{nodeId}/rdp", []),
]
OLDER_PROPERTIES = {
    "PoolAddParameter": {
        "applicationLicenses": {"type": "array", "items": {"type": "string"}},
        "cloudServiceConfiguration": {"ref": "CloudServiceConfiguration"},
    },
    "PoolSpecification": {
        "applicationLicenses": {"type": "array", "items": {"type": "string"}},
        "cloudServiceConfiguration": {"ref": "CloudServiceConfiguration"},
    },
}
OLDER_DEFINITIONS = {
    "CloudServiceConfiguration": {
        "required": ["osFamily"],
        "properties": {"osFamily": {"type": "string"}, "osVersion": {"type": "string"}},
    }
}

ID_TEXT = re.compile(r"alphanumeric characters including hyphens and underscores,? and cannot contain more than 64 characters")
MAX_LENGTH_TEXT = re.compile(r"up to a maximum length of (\d+)")


def ref_name(ref):
    return ref.rsplit("/", 1)[1]


def main(spec_path):
    spec = json.load(open(spec_path, encoding="utf-8"))
    defs = spec["definitions"]
    shared_params = spec.get("parameters", {})

    def enum_of(name):
        d = defs[name]
        if "enum" in d:
            return {"type": "string", "enum": sorted(v.lower() for v in d["enum"])}
        return None

    def prop_schema(p):
        if "$ref" in p:
            target = ref_name(p["$ref"])
            return enum_of(target) or {"ref": target}
        out = {}
        t = p.get("type")
        if t:
            out["type"] = t
        if "format" in p:
            out["format"] = p["format"]
        if "enum" in p:
            out["enum"] = sorted(v.lower() for v in p["enum"])
        for k in ("minimum", "maximum", "maxItems"):
            if k in p:
                out[k] = p[k]
        if t == "array":
            out["items"] = prop_schema(p.get("items", {}))
        if t == "object" and "additionalProperties" in p:
            out["values"] = prop_schema(p["additionalProperties"])
        text = (p.get("title", "") + " " + p.get("description", ""))
        if ID_TEXT.search(text):
            out["id"] = True
        m = MAX_LENGTH_TEXT.search(text)
        if m:
            out["maxLength"] = int(m.group(1))
        return out

    operations = []
    bodies = set()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            entry = {"id": op["operationId"], "method": method.upper(), "path": path}
            query = []
            for param in op.get("parameters", []):
                if "$ref" in param:
                    param = shared_params[ref_name(param["$ref"])]
                if param["in"] == "query" and param["name"] != "api-version":
                    query.append(param["name"])
                if param["in"] == "body":
                    entry["body"] = ref_name(param["schema"]["$ref"])
                    entry["bodyRequired"] = bool(param.get("required"))
                    bodies.add(entry["body"])
            entry["query"] = sorted(query)
            operations.append(entry)
    for op_id, method, path, query in OLDER_OPERATIONS:
        operations.append({"id": op_id, "method": method, "path": path, "query": ["timeout"] + query, "older": True})

    out_defs = {}
    todo = sorted(bodies)
    while todo:
        name = todo.pop()
        if name in out_defs:
            continue
        if name in OLDER_DEFINITIONS:
            out_defs[name] = OLDER_DEFINITIONS[name]
            continue
        d = defs[name]
        props = {}
        for pname, p in d.get("properties", {}).items():
            if p.get("readOnly"):
                continue
            props[pname] = prop_schema(p)
        props.update(OLDER_PROPERTIES.get(name, {}))
        entry = {"properties": props}
        if d.get("required"):
            entry["required"] = d["required"]
        out_defs[name] = entry

        def refs(s):
            if "ref" in s:
                yield s["ref"]
            for k in ("items", "values"):
                if k in s:
                    yield from refs(s[k])

        for s in props.values():
            todo.extend(r for r in refs(s) if r not in out_defs)

    print("{")
    print('  "specVersion": %s,' % json.dumps(spec["info"]["version"]))
    print('  "operations": [')
    print(",\n".join("    " + json.dumps(o, sort_keys=True) for o in sorted(operations, key=lambda o: (o["path"], o["method"]))))
    print("  ],")
    print('  "definitions": {')
    print(",\n".join("    %s: %s" % (json.dumps(n), json.dumps(out_defs[n], sort_keys=True)) for n in sorted(out_defs)))
    print("  }")
    print("}")


if __name__ == "__main__":
    main(sys.argv[1])
