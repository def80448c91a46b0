#!/usr/bin/env python3
"""examples/k8s checked offline: the manifests parse and hold what an Indexed
Job crawl needs (Indexed completions equal to --shards, retries per index,
the run id from the Job's name, one ReadWriteMany claim, a CronJob that never
overlaps, a merge only after the Job completes); then the contract they
rely on, run here: N processes with JOB_COMPLETION_INDEX=i and the Job's own
command (its /data on a temporary folder) against a loopback site, then the
merge Job's command, whose totals must equal one process's run, each page
fetched once. Also examples/parallel/crawl-parallel on this machine.

usage: k8s_test.py CRAWL_BINARY SOURCE_DIR
"""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

from loopback_site import LoopbackSite, read

CRAWL, SOURCE = sys.argv[1], sys.argv[2]
K8S = os.path.join(SOURCE, "examples", "k8s")
failures = []


def check(ok, what):
    print(("k8s_test: ok: " if ok else "k8s_test: FAILED: ") + what, flush=True)
    if not ok:
        failures.append(what)


def load(name):
    with open(os.path.join(K8S, name)) as f:
        return yaml.safe_load(f)


def shards_of(command):
    return int(command[command.index("--shards") + 1]) if "--shards" in command else None


def check_job_spec(spec, where):
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    command = container["command"]
    check(spec.get("completionMode") == "Indexed", f"{where}: completionMode Indexed")
    check(shards_of(command) == spec.get("completions"), f"{where}: --shards equals completions")
    check("backoffLimitPerIndex" in spec, f"{where}: failed pods retried per index (backoffLimitPerIndex)")
    check(pod.get("restartPolicy") == "Never", f"{where}: restartPolicy Never (required with per-index limits)")
    run_id = [e for e in container.get("env", []) if e["name"] == "CRAWL_RUN_ID"]
    check(bool(run_id) and "job-name" in run_id[0]["valueFrom"]["fieldRef"]["fieldPath"],
          f"{where}: the run id is the Job's name")
    check(any("{shard}" in arg for arg in command), f"{where}: outputs and state named by shard")
    claims = [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v]
    check(claims == ["crawl-data"], f"{where}: the outputs on the shared claim")
    return command


def main():
    pvc = load("pvc.yaml")
    check(pvc["kind"] == "PersistentVolumeClaim" and pvc["spec"]["accessModes"] == ["ReadWriteMany"],
          "pvc.yaml: a ReadWriteMany claim")
    job = load("indexed-job.yaml")
    command = check_job_spec(job["spec"], "indexed-job.yaml")
    cron = load("cronjob.yaml")
    check(cron["spec"].get("concurrencyPolicy") == "Forbid", "cronjob.yaml: runs never overlap (Forbid)")
    check_job_spec(cron["spec"]["jobTemplate"]["spec"], "cronjob.yaml")
    merge = load("merge-job.yaml")
    merge_command = merge["spec"]["template"]["spec"]["containers"][0]["command"]
    check("crawl merge" in " ".join(merge_command), "merge-job.yaml: runs crawl merge")
    run = read(os.path.join(K8S, "run"))
    check("kubectl wait" in run and "condition=complete" in run, "run: the merge waits for the Job's Complete condition")

    # The contract: the Job's pods, as processes here.
    work = tempfile.mkdtemp(prefix="crawl-k8s-")
    site = LoopbackSite(20, 2000)
    try:
        site.write_list(f"{work}/urls.txt")
        os.makedirs(f"{work}/out")
        args = site.crawl_args()
        single = subprocess.run([CRAWL, f"{work}/urls.txt", "-o", f"{work}/single.tsv", "--top", "0", "-q"] + args)
        check(single.returncode == 0, "a single process crawls the site")
        site.clear()
        local = [CRAWL] + [a.replace("/data", work) for a in command[1:]] + args
        n = shards_of(command)
        pods = [subprocess.Popen(local, env=dict(os.environ, JOB_COMPLETION_INDEX=str(i), CRAWL_RUN_ID="crawl-shards"))
                for i in range(n)]
        codes = [p.wait(timeout=300) for p in pods]
        check(codes == [0] * n, f"every pod succeeded: {codes}")
        script = merge_command[-1].replace("/data", work).replace("exec crawl ", f"exec {CRAWL} ")
        merged = subprocess.run(merge_command[:-1] + [script], capture_output=True, text=True)
        check(merged.returncode == 0, "the merge Job's command succeeded: " + merged.stderr)
        check(os.path.exists(f"{work}/out/total.tsv") and read(f"{work}/out/total.tsv") == read(f"{work}/single.tsv"),
              "the merged counts equal one process's")
        pages = [path for host, path in site.requests() if path.startswith("/page/")]
        check(len(pages) == 2000 and len(set(pages)) == 2000, f"every page fetched once by the pods ({len(pages)})")
        # A pod missing (an index that never succeeded): the merge refuses.
        os.remove(f"{work}/out/summary-1.json")
        os.remove(f"{work}/out/total.tsv")
        refused = subprocess.run(merge_command[:-1] + [script], capture_output=True, text=True)
        check(refused.returncode == 1 and "1 of 4 shards missing: 1" in refused.stderr,
              "a missing shard makes the merge fail: " + refused.stderr)
        check(not os.path.exists(f"{work}/out/total.tsv"), "and write nothing")

        # examples/parallel on this machine (GNU parallel, installed when missing).
        if not shutil.which("parallel"):
            subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "parallel"],
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), stdout=subprocess.DEVNULL)
        if shutil.which("parallel"):
            site.clear()
            out = subprocess.run([os.path.join(SOURCE, "examples", "parallel", "crawl-parallel"), f"{work}/urls.txt",
                                  f"{work}/par", "4"] + args, env=dict(os.environ, CRAWL=CRAWL), capture_output=True,
                                 text=True)
            check(out.returncode == 0, "crawl-parallel ran 4 shards and the merge: " + out.stderr)
            check(os.path.exists(f"{work}/par/total.tsv") and read(f"{work}/par/total.tsv") == read(f"{work}/single.tsv"),
                  "crawl-parallel's merged counts equal one process's")
            pages = [path for host, path in site.requests() if path.startswith("/page/")]
            check(len(pages) == 2000 and len(set(pages)) == 2000, "crawl-parallel fetched every page once")
        else:
            check(False, "GNU parallel could be installed")
    finally:
        site.stop()
    if failures:
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
