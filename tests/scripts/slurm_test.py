#!/usr/bin/env python3
"""examples/slurm on a real Slurm: a single-node cluster (slurmctld and slurmd
as root, in a temporary folder, auth/none for this test only) runs
examples/slurm/submit against a loopback site of 2,000 pages on 20 hosts in 4
shards. Checks: the merged counts and summary equal one process's run
exactly, no URL was fetched by two shards (the site's request log), and a
shard made to fail keeps the merge from running. The daemons are stopped at
the end, whatever happened.

usage: slurm_test.py CRAWL_BINARY SOURCE_DIR      (exit 77: skipped, not root)
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from loopback_site import LoopbackSite, read

CRAWL, SOURCE = sys.argv[1], sys.argv[2]
SUBMIT = os.path.join(SOURCE, "examples", "slurm", "submit")
HOSTS, PAGES, SHARDS = 20, 2000, 4
START = time.monotonic()


def log(*args):
    print(f"slurm_test: {time.monotonic() - START:6.1f}s", *args, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_slurm():
    if shutil.which("slurmctld") and shutil.which("slurmd") and shutil.which("sbatch"):
        return
    log("installing slurm-wlm from Debian")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "slurm-wlm"]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)


class Cluster:
    def __init__(self, folder):
        self.folder = folder
        self.host = socket.gethostname().split(".")[0]
        for sub in ("state", "spool"):
            os.makedirs(os.path.join(folder, sub))
        conf = os.path.join(folder, "slurm.conf")
        with open(conf, "w") as f:
            f.write(f"""ClusterName=crawltest
SlurmctldHost={self.host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SchedulerParameters=batch_sched_delay=0,sched_min_interval=1
DependencyParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MinJobAge=600
NodeName={self.host} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} State=UNKNOWN
PartitionName=test Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")
        self.env = dict(os.environ, SLURM_CONF=conf)

    def start(self):
        subprocess.run(["slurmctld", "-i"], env=self.env, check=True)
        subprocess.run(["slurmd"], env=self.env, check=True)
        for _ in range(100):
            out = subprocess.run(["sinfo", "-h", "-o", "%t"], env=self.env, capture_output=True, text=True).stdout
            if out.strip() == "idle":
                return
            time.sleep(0.2)
        raise RuntimeError("the node did not come up: " + self.logs())

    def logs(self):
        text = ""
        for name in ("slurmctld.log", "slurmd.log"):
            path = os.path.join(self.folder, name)
            if os.path.exists(path):
                with open(path) as f:
                    text += f"\n--- {name}\n" + "".join(f.readlines()[-20:])
        return text

    def stop(self):
        subprocess.run(["scancel", "--full", "--quiet", "-u", "root"], env=self.env, stderr=subprocess.DEVNULL)
        for name in ("slurmd.pid", "slurmctld.pid"):
            path = os.path.join(self.folder, name)
            try:
                with open(path) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(50):
                    os.kill(pid, 0)
                    time.sleep(0.1)
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def job_state(self, job):
        out = subprocess.run(["scontrol", "-o", "show", "job", str(job)], env=self.env, capture_output=True,
                             text=True).stdout
        states = {field.split("=", 1)[1] for line in out.splitlines() for field in line.split()
                  if field.startswith("JobState=")}
        return states

    def wait(self, job, seconds=300):
        """Waits until every task of `job` has ended; returns their states."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            states = self.job_state(job)
            if states and not states & {"PENDING", "RUNNING", "CONFIGURING", "COMPLETING"}:
                return states
            time.sleep(0.3)
        raise RuntimeError(f"job {job} did not end in {seconds} s: {self.job_state(job)}" + self.logs())

    def submit(self, args):
        out = subprocess.run([SUBMIT] + args, env=dict(self.env, CRAWL=CRAWL), capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("submit failed: " + out.stderr)
        ids = dict(line.split() for line in out.stdout.splitlines())
        return ids["array"], ids["merge"]


def main():
    if os.geteuid() != 0:
        log("skipped: slurmd and slurmctld run as root here (run the tests as root, as CI does)")
        return 77
    ensure_slurm()
    work = tempfile.mkdtemp(prefix="crawl-slurm-")
    site = LoopbackSite(HOSTS, PAGES)
    urls = os.path.join(work, "urls.txt")
    site.write_list(urls)
    crawl_args = site.crawl_args()
    cluster = Cluster(os.path.join(work, "cluster"))
    failures = []

    def check(ok, what):
        log(("ok: " if ok else "FAILED: ") + what)
        if not ok:
            failures.append(what)

    try:
        # One process, for the totals the shards must add up to.
        single = subprocess.run([CRAWL, urls, "-o", f"{work}/single.tsv", "--summary", f"{work}/single.json",
                                 "--top", "0", "-q"] + crawl_args, capture_output=True, text=True)
        check(single.returncode == 0, "a single process crawls the site: " + single.stderr)
        site.clear()

        cluster.start()
        out = os.path.join(work, "out")
        array, merge = cluster.submit([urls, out, str(SHARDS)] + crawl_args)
        log(f"array {array}, merge {merge}")
        states = cluster.wait(merge)
        check(states == {"COMPLETED"}, f"the merge ran after the array: {states} {cluster.job_state(array)}")
        check(os.path.exists(f"{out}/total.tsv") and read(f"{out}/total.tsv") == read(f"{work}/single.tsv"),
              "the merged counts equal one process's, byte for byte")
        if os.path.exists(f"{out}/total.json"):
            total, one = json.loads(read(f"{out}/total.json")), json.loads(read(f"{work}/single.json"))
            for key in ("lines", "ok", "failed", "bytes", "words", "distinct_words", "status_codes"):
                check(total[key] == one[key], f"the merged summary's {key} is one process's ({total[key]})")
            check(len(total["parts"]) == SHARDS, "the merged summary covers every shard")
        else:
            check(False, "the merged summary was written")
        pages = [path for host, path in site.requests() if path.startswith("/page/")]
        robots = [host for host, path in site.requests() if path == "/robots.txt"]
        check(len(pages) == PAGES and len(set(pages)) == PAGES, f"every page fetched once by the shards ({len(pages)})")
        check(sorted(robots) == sorted(set(robots)) and len(robots) == HOSTS, "each host's robots.txt asked once")

        # A shard that cannot write its output fails its task: the merge never runs.
        bad = os.path.join(work, "bad")
        os.makedirs(f"{bad}/part-2.tsv")  # a folder where shard 2's output goes
        array, merge = cluster.submit([urls, bad, str(SHARDS)] + crawl_args)
        states = cluster.wait(merge)
        array_states = cluster.wait(array)
        check("FAILED" in array_states, f"the broken shard's task failed: {array_states}")
        check("COMPLETED" not in states, f"the merge did not run: {states}")
        check(not os.path.exists(f"{bad}/total.tsv"), "no merged output appeared")
        # Resubmitted alone once fixed, the shard joins its run and the merge completes.
        os.rmdir(f"{bad}/part-2.tsv")
        array, merge = cluster.submit(["--retry", "2", urls, bad, str(SHARDS)] + crawl_args)
        states = cluster.wait(merge)
        check(states == {"COMPLETED"}, f"after the retry of shard 2 the merge ran: {states}")
        check(os.path.exists(f"{bad}/total.tsv") and read(f"{bad}/total.tsv") == read(f"{work}/single.tsv"),
              "with the retried shard the merged counts equal one process's")
    except Exception as e:  # a test's own failure: reported with the daemons' logs
        check(False, f"{e}{cluster.logs()}")
    finally:
        cluster.stop()
        site.stop()
    if failures:
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
