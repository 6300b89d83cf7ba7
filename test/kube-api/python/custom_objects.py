"""The Kubernetes Python client's CustomObjectsApi against tunewell serve.

Run by test/kube-api/python-client.test.ts with KUBECONFIG naming the file `tunewell kubeconfig`
printed: `custom_objects.py EXPERIMENT_JSON`. Creates, gets, lists, patches, replaces with a
stale resourceVersion and deletes the experiment, watching it live meanwhile and replaying its
changes afterwards, and prints one JSON report of what the server answered: the test asserts
on it, so this script decides nothing itself. Exits 1 only when a call it expects to work fails.
"""

import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

GROUP, VERSION, PLURAL = "kubeflow.org", "v1beta1", "experiments"


def refusal(call):
    """The Status the server answered with, or None when the call worked."""
    try:
        call()
    except ApiException as error:
        try:
            body = json.loads(error.body) if error.body else None
        except ValueError:
            body = error.body
        return {"code": error.status, "body": body}
    return None


def summary(event):
    obj = event["object"]
    return {
        "type": event["type"],
        "name": obj.get("metadata", {}).get("name"),
        "resourceVersion": obj.get("metadata", {}).get("resourceVersion"),
        "maxTrialCount": obj.get("spec", {}).get("maxTrialCount"),
        "labels": obj.get("metadata", {}).get("labels"),
    }


def watch_events(api, namespace, name, resource_version, seconds, events, connected=None):
    """Events of one experiment until it is DELETED or `seconds` pass: from resource_version on,
    or (None) its current state first as ADDED, then its changes, as kubectl's list-and-watch sees
    them. `connected` is set on the first event: the watch is known to be open then."""
    w = watch.Watch()
    options = {"field_selector": f"metadata.name={name}", "timeout_seconds": seconds}
    if resource_version is not None:
        options["resource_version"] = resource_version
    try:
        for event in w.stream(api.list_namespaced_custom_object, GROUP, VERSION, namespace, PLURAL, **options):
            events.append(summary(event))
            if connected is not None:
                connected.set()
            if event["type"] == "DELETED":
                w.stop()
    except ApiException as error:
        events.append({"type": "EXCEPTION", "code": error.status, "reason": error.reason})
    finally:
        if connected is not None:
            connected.set()


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        body = json.load(f)
    name = body["metadata"]["name"]
    namespace = body["metadata"].get("namespace", "default")
    config.load_kube_config()
    api = client.CustomObjectsApi()
    report = {}

    created = api.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body)
    report["created"] = created
    report["duplicate"] = refusal(lambda: api.create_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, body))
    got = api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
    report["got"] = got
    labelled = api.list_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, label_selector="team=tuning")
    report["listedByLabel"] = [item["metadata"]["name"] for item in labelled["items"]]
    report["listResourceVersion"] = labelled["metadata"]["resourceVersion"]
    everywhere = api.list_cluster_custom_object(GROUP, VERSION, PLURAL)
    report["listedEverywhere"] = [f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in everywhere["items"]]
    report["missing"] = refusal(lambda: api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, "no-such-experiment"))

    # A live watch, open (its ADDED received) before the changes it must see.
    live = []
    connected = threading.Event()
    watcher = threading.Thread(target=watch_events, args=(api, namespace, name, None, 30, live, connected))
    watcher.start()
    connected.wait(20)

    patched = api.patch_namespaced_custom_object(
        GROUP, VERSION, namespace, PLURAL, name,
        {"metadata": {"labels": {"stage": "patched"}}, "spec": {"maxTrialCount": body["spec"]["maxTrialCount"] + 3}},
    )
    report["patched"] = patched
    # Until the live watch has the patch (or 10 s): changes close together may reach a watch as
    # one event with the latest state, and the deletion follows at once here.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(e["type"] == "MODIFIED" and e.get("maxTrialCount") == patched["spec"]["maxTrialCount"] for e in list(live)):
        time.sleep(0.05)
    report["staleReplace"] = refusal(lambda: api.replace_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name, created))
    report["forbiddenPatch"] = refusal(
        lambda: api.patch_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name, {"spec": {"algorithm": {"algorithmName": "tpe"}}})
    )
    # As Katib's SDK calls it: no DeleteOptions, so the client sends Content-Type: application/json
    # and no body. Should the server refuse that, DeleteOptions go along so the rest still runs.
    try:
        report["deleted"] = api.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name)
        report["deleteWithoutBody"] = None
    except ApiException as error:
        report["deleteWithoutBody"] = {"code": error.status, "body": error.body}
        report["deleted"] = api.delete_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name, body=client.V1DeleteOptions())
    report["afterDelete"] = refusal(lambda: api.get_namespaced_custom_object(GROUP, VERSION, namespace, PLURAL, name))

    watcher.join(40)
    report["liveWatch"] = live
    # Replayed from the resourceVersion the create answered, once the experiment is gone.
    replayed = []
    watch_events(api, namespace, name, created["metadata"]["resourceVersion"], 10, replayed)
    report["replayedWatch"] = replayed
    print(json.dumps(report))


if __name__ == "__main__":
    try:
        main()
    except ApiException as error:
        print(f"unexpected refusal: {error.status} {error.reason}\n{error.body}", file=sys.stderr)
        sys.exit(1)
