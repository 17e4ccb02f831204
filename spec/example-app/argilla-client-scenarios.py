"""The seed's Python client against the example app: every scenario of argilla-clients.spec.ts.

Run by that spec, once per client, as:
    SCENARIO_ACCESS_TOKEN=... python3 argilla-client-scenarios.py MODULE URL DEFAULT_ARGILLA_URL DEFAULT_RUBRIX_URL OUT
MODULE is `argilla` (1.1.1) or `rubrix` (0.18.0), imported from PYTHONPATH. URL serves the example
users; the two DEFAULT_* serve only the default user, with the key `argilla.apikey` and with
`rubrix.apikey`. SCENARIO_ACCESS_TOKEN is an access token of user2. Each scenario's outcome (a value, or the error the client raised and printed)
goes into one JSON object written to OUT; the spec makes the assertions. Our code, not the
clients': it only calls their public functions, as a user's script does.
"""

import importlib
import json
import os
import sys

module, url, default_argilla_url, default_rubrix_url, out = sys.argv[1:6]
rg = importlib.import_module(module)
# What each client sends set_workspace's choice in, and reads its default key from.
workspace_header = "X-Argilla-Workspace" if module == "argilla" else "X-Rubrix-Workspace"
api_key_variable = "ARGILLA_API_KEY" if module == "argilla" else "RUBRIX_API_KEY"
for variable in ("ARGILLA_API_KEY", "RUBRIX_API_KEY", "ARGILLA_WORKSPACE", "RUBRIX_WORKSPACE"):
    os.environ.pop(variable, None)

USER1 = "ThisIsTheUser1APIKEY"
USER2 = "ThisIsTheUser2APIKEY"
results = {}


def scenario(name):
    """Records what the decorated function returns, or the error the client raised, under `name`."""

    def run(function):
        try:
            results[name] = {"value": function()}
        except Exception as error:  # what the user would see: the type, and the printed text
            results[name] = {
                "error": type(error).__name__,
                "status": getattr(error, "HTTP_STATUS", None),
                "text": str(error),
            }
        return function

    return run


def records(prefix, count=3):
    return [
        rg.TextClassificationRecord(
            id=f"{prefix}-{index}",
            text=f"headline {index} of {prefix}",
            prediction=[("sports", 0.75), ("politics", 0.25)],
            annotation="sports" if index % 2 == 0 else "politics",
            metadata={"source": "spec", "index": index},
        )
        for index in range(count)
    ]


def seen(dataset):
    """What a user reads back from rg.load: the fields they logged."""
    return [
        {
            "id": record.id,
            "text": record.text,
            "prediction": [list(pair) for pair in record.prediction or []],
            "annotation": record.annotation,
            "metadata": record.metadata,
        }
        for record in dataset
    ]


# init: the key, then the workspace.
@scenario("init")
def _():
    rg.init(api_url=url, api_key=USER2)
    return rg.get_workspace()


@scenario("init_with_workspace")
def _():
    rg.init(api_url=url, api_key=USER2, workspace="client_projects")
    return rg.get_workspace()


@scenario("refused_key")
def _():
    rg.init(api_url=url, api_key="no-user-has-this-key")


@scenario("set_forbidden_workspace")
def _():
    rg.init(api_url=url, api_key=USER1)
    rg.set_workspace("client_projects")


# The server's own refusal: the workspace header forced past the client's check.
@scenario("forbidden_workspace_on_server")
def _():
    rg.init(api_url=url, api_key=USER1, extra_headers={workspace_header: "client_projects"})
    rg.log(records(f"{module}-forced"), name=f"{module}-forced", verbose=False)


# A token as api_key (user2's, from the spec): the client sends it in its key headers and as Bearer.
token = os.environ["SCENARIO_ACCESS_TOKEN"]


@scenario("token_as_api_key")
def _():
    rg.init(api_url=url, api_key=token, workspace="client_projects")
    name = f"{module}-by-token"
    processed = rg.log(records(name, 2), name=name, verbose=False).processed
    loaded = len(rg.load(name))
    rg.delete(name)
    return {"workspace": rg.get_workspace(), "processed": processed, "loaded": loaded}


# log -> load -> copy -> delete in a team workspace, as user2.
team = f"{module}-news"
logged = records(team)


@scenario("team_log")
def _():
    rg.init(api_url=url, api_key=USER2, workspace="client_projects")
    response = rg.log(logged, name=team, verbose=False)
    return {"processed": response.processed, "failed": response.failed}


@scenario("team_load")
def _():
    return seen(rg.load(team))


@scenario("team_log_same_ids_again")
def _():
    rg.log(records(team), name=team, verbose=False)
    return len(rg.load(team))


@scenario("team_load_ids_and_limit")
def _():
    by_ids = [record.id for record in rg.load(team, ids=[f"{team}-0", f"{team}-2"])]
    return {"ids": by_ids, "limited": len(rg.load(team, limit=2))}


@scenario("team_copy")
def _():
    rg.copy(team, name_of_copy=f"{team}-copy")
    return seen(rg.load(f"{team}-copy"))


@scenario("team_copy_to_own_workspace")
def _():
    rg.copy(team, name_of_copy=f"{team}-mine", workspace="user2")


@scenario("team_copy_to_forbidden_workspace")
def _():
    rg.copy(team, name_of_copy=f"{team}-stolen", workspace="user1")


@scenario("team_copy_over_existing")
def _():
    rg.copy(team, name_of_copy=f"{team}-copy")


@scenario("team_delete")
def _():
    rg.delete(team)


@scenario("team_load_deleted")
def _():
    rg.load(team)


@scenario("team_delete_missing")
def _():
    rg.delete(team)


@scenario("team_copy_loaded_in_own_workspace")
def _():
    rg.set_workspace("user2")
    return {"workspace": rg.get_workspace(), "records": seen(rg.load(f"{team}-mine"))}


# A user's own workspace, as user1 (workspaces: []).
own = f"{module}-tickets"


@scenario("own_workspace")
def _():
    rg.init(api_url=url, api_key=USER1)
    processed = rg.log(records(own, 2), name=own, verbose=False).processed
    loaded = seen(rg.load(own))
    rg.log(records(f"{own}-kept", 1), name=f"{own}-kept", verbose=False)
    rg.delete(own)
    return {"workspace": rg.get_workspace(), "processed": processed, "loaded": loaded}


@scenario("own_load_deleted")
def _():
    rg.load(own)


# A bare init(): the client's default key is rubrix.apikey.
@scenario("bare_init_default_argilla_key")
def _():
    rg.init(api_url=default_argilla_url)


@scenario("bare_init_default_key_set_to_rubrix_apikey")
def _():
    rg.init(api_url=default_rubrix_url)
    return rg.get_workspace()


@scenario("bare_init_with_api_key_variable")
def _():
    os.environ[api_key_variable] = "argilla.apikey"
    try:
        rg.init(api_url=default_argilla_url)
    finally:
        del os.environ[api_key_variable]
    return rg.get_workspace()


with open(out, "w", encoding="utf-8") as file:
    json.dump(results, file, indent=1)
