package io.apptheus.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real one-node Slurm (Debian's slurm-wlm 22.05 with munge) whose whole cgroup tree lives under
 * this JVM's own cgroups: proctrack/cgroup, task/cgroup (ConstrainRAMSpace, ConstrainCores),
 * jobacct_gather/cgroup, with the cgroup/v1 plugin. The recipe is ../shared/slurm/README.md's:
 *
 * <ul>
 * <li>one directory {@code apptheus-it-slurm-<hex>} under our own cgroup in each hierarchy Slurm uses
 * (freezer, cpuset, memory, devices, cpuacct);</li>
 * <li>slurmd runs in a mount namespace of its own ({@code unshare --mount}) in which
 * {@code CgroupMountpoint/<controller>} is a bind mount of that directory: Slurm's v1 plugin takes
 * any directory with a {@code tasks} file for a hierarchy's root, so its {@code slurm_<node>/uid_*}
 * tree and slurmstepd's "move myself to the root cgroup" land inside it, and the host's mount
 * table shows nothing;</li>
 * <li>in the sampled hierarchies Slurm does not use (cpu, pids, blkio, cgroup2) slurmd starts in a
 * cgroup of its own of the same name, as systemd would start it in slurmd.service: its jobs'
 * processes sit there, not at the hierarchy's root;</li>
 * <li>munged runs as the munge user with a key, socket and seed of its own under the cluster's
 * directory (slurm.conf's {@code AuthInfo=socket=...}), so the host's /etc/munge and /run/munge
 * are not used;</li>
 * <li>ports are free 127.0.0.1 ports picked at start.</li>
 * </ul>
 *
 * {@link #close()} stops slurmd, slurmctld and munged by PID, SIGKILLs any process left in the
 * confined cgroups (a job step that outlived its daemon), removes every cgroup directory below and
 * including the confined ones, deepest first, and copies the logs to {@code target/it-logs}.
 * A JVM shutdown hook does the same if a test run is cut short.
 */
public final class SlurmCluster implements AutoCloseable {

    /** The v1 hierarchies Slurm's cgroup plugins use here. */
    public static final List<String> CONTROLLERS = List.of("freezer", "cpuset", "memory", "devices", "cpuacct");
    private static final List<String> TOOLS = List.of("slurmd", "slurmctld", "munged", "munge", "unmunge", "srun",
            "sbatch", "salloc", "scontrol", "scancel", "sstat", "sinfo", "unshare", "setpriv");
    private static final Pattern KEY_VALUE = Pattern.compile("(\\w+)=(\\S*)");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<SlurmCluster> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(c -> {
            try {
                c.close();
            } catch (RuntimeException e) {
                // nothing more to do at shutdown
            }
        }), "slurm-cluster-cleanup"));
    }

    private final TestCgroups cgroups;
    private final Path base;
    private final String node;
    private final String cgName;
    private final Map<String, Path> confined = new LinkedHashMap<>();
    /** slurmd's own cgroup in the hierarchies Slurm does not use, as systemd would give it one (slurmd.service). */
    private final Map<String, Path> homes = new LinkedHashMap<>();
    private final List<Process> daemons = new ArrayList<>(); // munged, slurmctld, slurmd: started in that order
    private final Map<String, String> env = new LinkedHashMap<>();
    private volatile boolean closed;

    private SlurmCluster(TestCgroups cgroups, Path base, String node) {
        this.cgroups = cgroups;
        this.base = base;
        this.node = node;
        this.cgName = TestCgroups.PREFIX + "slurm-" + String.format("%08x", RANDOM.nextInt());
        env.put("SLURM_CONF", conf().toString());
    }

    /**
     * The tools and hierarchies a cluster needs, or what is missing ("" when nothing is). Under
     * {@code CI=true} a test must fail on a missing piece rather than skip (.ci/run installs them).
     */
    public static String missing() {
        List<String> out = new ArrayList<>();
        for (String t : TOOLS) {
            if (which(t) == null) {
                out.add(t);
            }
        }
        TestCgroups cg = TestCgroups.current();
        for (String c : CONTROLLERS) {
            if (!cg.hierarchies().contains(c)) {
                out.add("cgroup v1 " + c + " hierarchy");
            }
        }
        return String.join(", ", out);
    }

    /**
     * Sets up, starts munged, slurmctld and slurmd, and waits until the node is idle. A start that
     * fails (a port taken meanwhile by someone else) is cleaned up and tried again, three times.
     */
    public static SlurmCluster start(TestCgroups cgroups) {
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce(cgroups);
            } catch (AssertionError e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("Slurm did not start (attempt " + attempt + "), trying again: "
                        + e.getMessage().lines().findFirst().orElse(""));
            }
        }
    }

    private static SlurmCluster startOnce(TestCgroups cgroups) {
        Path base;
        try {
            base = Files.createTempDirectory(Path.of("/tmp"), TestCgroups.PREFIX + "slurm-");
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's directory in /tmp", e);
        }
        SlurmCluster c = new SlurmCluster(cgroups, base, shortHostname());
        OPEN.add(c);
        try {
            c.setUp();
            c.startDaemons();
            return c;
        } catch (RuntimeException | Error e) {
            try {
                c.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The node's name (the short host name, as slurmd would pick it). */
    public String node() {
        return node;
    }

    /** A directory every job user may write to (job output, ready files). */
    public Path shared() {
        return base.resolve("shared");
    }

    public Path conf() {
        return base.resolve("etc/slurm.conf");
    }

    public Path slurmdLog() {
        return base.resolve("log/slurmd.log");
    }

    /** The confined directory standing for hierarchy {@code controller}'s root in Slurm's eyes. */
    public Path confinedRoot(String controller) {
        return confined.get(controller);
    }

    /** Slurm's own top cgroup ({@code slurm_<node>}) in a hierarchy. */
    public Path slurmRoot(String controller) {
        return confined.get(controller).resolve("slurm_" + node);
    }

    /** The environment a client command needs (SLURM_CONF). */
    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    // ------------------------------------------------------------------------------------ setup

    private void setUp() {
        for (String d : List.of("etc", "log", "state", "spool", "cg", "munge", "shared")) {
            ItPaths.mkdirs(base.resolve(d));
        }
        try {
            Files.setPosixFilePermissions(shared(), PosixFilePermissions.fromString("rwxrwxrwx"));
            for (String c : CONTROLLERS) {
                Path dir = cgroups.ownDir(c).resolve(cgName);
                Files.createDirectory(dir);
                confined.put(c, dir);
                Files.createDirectories(base.resolve("cg").resolve(c));
            }
            for (String h : TestCgroups.SAMPLED) {
                if (!CONTROLLERS.contains(h) && cgroups.hierarchies().contains(h)) {
                    homes.put(h, Files.createDirectory(cgroups.ownDir(h).resolve(cgName)));
                }
            }
            // a new cpuset starts with no CPU and no memory node: give it its parent's
            Path cpuset = confined.get("cpuset");
            for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                Files.writeString(cpuset.resolve(f), Files.readString(cpuset.getParent().resolve(f)).trim());
            }
            writeMungeKey();
            int ctlPort = Ports.free();
            int dPort = Ports.free();
            Files.writeString(conf(), slurmConf(ctlPort, dPort));
            Files.writeString(base.resolve("etc/cgroup.conf"), cgroupConf());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the Slurm cluster in " + base, e);
        }
    }

    private String slurmConf(int ctlPort, int dPort) {
        int cpus = Runtime.getRuntime().availableProcessors();
        return """
                ClusterName=apptheus-it
                SlurmctldHost=%1$s(127.0.0.1)
                SlurmUser=root
                SlurmdUser=root
                AuthType=auth/munge
                CredType=cred/munge
                AuthInfo=socket=%2$s/munge/munge.socket
                StateSaveLocation=%2$s/state
                SlurmdSpoolDir=%2$s/spool
                SlurmctldPidFile=%2$s/state/slurmctld.pid
                SlurmdPidFile=%2$s/spool/slurmd.pid
                SlurmctldLogFile=%2$s/log/slurmctld.log
                SlurmdLogFile=%2$s/log/slurmd.log
                SlurmctldDebug=info
                SlurmdDebug=debug2
                DebugFlags=CGROUP
                SlurmctldPort=%3$d
                SlurmdPort=%4$d
                ProctrackType=proctrack/cgroup
                TaskPlugin=task/cgroup
                JobAcctGatherType=jobacct_gather/cgroup
                JobAcctGatherFrequency=task=5
                AccountingStorageType=accounting_storage/none
                JobCompType=jobcomp/none
                SelectType=select/cons_tres
                SelectTypeParameters=CR_Core_Memory
                DefMemPerCPU=256
                MpiDefault=none
                ReturnToService=2
                KillWait=2
                InactiveLimit=0
                MinJobAge=600
                NodeName=%1$s NodeAddr=127.0.0.1 CPUs=%5$d RealMemory=4096 State=UNKNOWN
                PartitionName=debug Nodes=%1$s Default=YES MaxTime=INFINITE State=UP
                """.formatted(node, base, ctlPort, dPort, cpus);
    }

    private String cgroupConf() {
        return """
                CgroupPlugin=cgroup/v1
                CgroupMountpoint=%s
                CgroupAutomount=no
                ConstrainRAMSpace=yes
                ConstrainSwapSpace=no
                ConstrainCores=yes
                ConstrainDevices=no
                """.formatted(base.resolve("cg"));
    }

    /** munged wants a key only its user can read, in a directory only its user can write. */
    private void writeMungeKey() throws IOException {
        byte[] key = new byte[1024];
        RANDOM.nextBytes(key);
        Path dir = base.resolve("munge");
        Path file = dir.resolve("munge.key");
        Files.write(file, key);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        var lookup = base.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(file, lookup.lookupPrincipalByName("munge"));
        Files.setOwner(dir, lookup.lookupPrincipalByName("munge"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    // ------------------------------------------------------------------------------------ daemons

    private void startDaemons() {
        Path m = base.resolve("munge");
        daemons.add(daemon("munged", "setpriv", "--reuid=munge", "--regid=munge", "--init-groups", "munged", "-F",
                "--socket=" + m.resolve("munge.socket"), "--key-file=" + m.resolve("munge.key"),
                "--pid-file=" + m.resolve("munged.pid"), "--log-file=" + m.resolve("munged.log"),
                "--seed-file=" + m.resolve("munged.seed")));
        awaitCondition(Duration.ofSeconds(30), "munged answers",
                () -> exec(Duration.ofSeconds(10), "sh", "-c", "munge -n -S \"$0\" | unmunge -S \"$0\"",
                        m.resolve("munge.socket").toString()).ok());
        daemons.add(daemon("slurmctld", "slurmctld", "-D", "-i", "-f", conf().toString()));
        StringBuilder mounts = new StringBuilder("set -e; ");
        for (Path home : homes.values()) {
            mounts.append("echo $$ > '").append(home.resolve("cgroup.procs")).append("'; ");
        }
        for (String c : CONTROLLERS) {
            mounts.append("mount --bind '").append(confined.get(c)).append("' '").append(base.resolve("cg").resolve(c))
                    .append("'; ");
        }
        // unshare without --fork execs in place, and so does sh: the PID is slurmd's
        daemons.add(daemon("slurmd", "unshare", "--mount", "--propagation", "private", "sh", "-c",
                mounts + "exec slurmd -D -N '" + node + "' -f '" + conf() + "'"));
        awaitCondition(Duration.ofSeconds(90), "node " + node + " idle", () -> {
            Result r = exec(Duration.ofSeconds(15), "sinfo", "-h", "-n", node, "-o", "%T");
            return r.ok() && r.out().strip().startsWith("idle");
        });
    }

    private Process daemon(String name, String... cmd) {
        Path log = base.resolve("log").resolve(name + ".stdout");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .directory(base.toFile());
        pb.environment().putAll(env);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", cmd), e);
        }
    }

    private void awaitCondition(Duration timeout, String what, java.util.function.BooleanSupplier ok) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ok.getAsBoolean()) {
            for (Process p : daemons) {
                if (!p.isAlive()) {
                    throw new AssertionError("a Slurm daemon exited (" + p.info().command().orElse("?") + ", code "
                            + p.exitValue() + ") while waiting for: " + what + "\n" + logs());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " after " + timeout + "\n" + logs());
            }
            Procs.sleep(250);
        }
    }

    // ------------------------------------------------------------------------------------ clients

    /** The outcome of a client command. */
    public record Result(int exit, String out, String err) {
        public boolean ok() {
            return exit == 0;
        }
    }

    /** Runs a client command with SLURM_CONF set; output captured. Fails on a timeout. */
    public Result run(String... cmd) {
        return exec(Duration.ofSeconds(60), cmd);
    }

    /** As {@link #run}, failing unless the command exits 0. */
    public String check(String... cmd) {
        Result r = run(cmd);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.out() + r.err());
        }
        return r.out();
    }

    /** Starts a client command (srun, salloc) in the background; its output goes to {@code out}. */
    public Process launch(Path out, Map<String, String> extraEnv, String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .directory(shared().toFile());
        pb.environment().putAll(env);
        pb.environment().putAll(extraEnv);
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
        }
    }

    private Result exec(Duration timeout, String... cmd) {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(shared().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile(base, "out", ".txt");
            Path err = Files.createTempFile(base, "err", ".txt");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeout);
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** {@code scontrol show job -o ID} as key → value (JobState, ExitCode, UserId, ...); empty if unknown. */
    public Map<String, String> job(String id) {
        Result r = run("scontrol", "show", "job", "-o", id);
        Map<String, String> out = new LinkedHashMap<>();
        if (!r.ok()) {
            return out;
        }
        Matcher m = KEY_VALUE.matcher(r.out());
        while (m.find()) {
            out.putIfAbsent(m.group(1), m.group(2));
        }
        return out;
    }

    /** Polls until the job has ended (neither pending, configuring, running nor completing); returns its state. */
    public String awaitJobEnd(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        for (;;) {
            state = job(id).getOrDefault("JobState", "");
            if (!state.isEmpty() && !Set.of("PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED")
                    .contains(state)) {
                return state;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " still " + state + " after " + timeout + "\n"
                        + job(id) + "\n" + logs());
            }
            Procs.sleep(200);
        }
    }

    /** Polls until the job runs. */
    public void awaitJobRunning(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            String state = job(id).getOrDefault("JobState", "");
            if (state.equals("RUNNING")) {
                return;
            }
            if (!state.isEmpty() && !state.equals("PENDING") && !state.equals("CONFIGURING")) {
                throw new AssertionError("job " + id + " is " + state + ", not running\n" + job(id));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " not running after " + timeout + "\n" + job(id));
            }
            Procs.sleep(100);
        }
    }

    /** Submits a batch script ({@code #!/bin/sh} added) with sbatch options; returns the job id. */
    public String sbatch(String script, String... options) {
        Path file;
        try {
            file = Files.createTempFile(shared(), "job", ".sh");
            Files.writeString(file, "#!/bin/sh\n" + script + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a batch script in " + shared(), e);
        }
        List<String> cmd = new ArrayList<>(List.of("sbatch", "--parsable", "--chdir=" + shared(),
                "--output=" + shared().resolve("slurm-%j.out")));
        cmd.addAll(List.of(options));
        cmd.add(file.toString());
        return check(cmd.toArray(String[]::new)).strip().replaceAll(";.*", "");
    }

    /** A job's batch output ({@code slurm-ID.out}), empty if there is none yet. */
    public String output(String id) {
        try {
            return Files.readString(shared().resolve("slurm-" + id + ".out"));
        } catch (IOException e) {
            return "";
        }
    }

    /** What a fake starter in a job wrote to its ready file ({@code FAKESTARTER_READY_FILE}). */
    public record Ready(String jobId, long pid, long child, boolean connected) {
        /** The container's name as the agent gives it: {@code starter_<pid>}. */
        public String name() {
            return "starter_" + pid;
        }
    }

    /** The ready file of a starter tagged {@code tag}: pass it as FAKESTARTER_READY_FILE. */
    public Path readyFile(String tag) {
        return shared().resolve("ready-" + tag);
    }

    /**
     * Waits for a starter's ready file and reads its job id from its environment (SLURM_JOB_ID, set
     * by srun, sbatch and salloc).
     */
    public Ready awaitReady(String tag, Duration timeout) {
        Path f = readyFile(tag);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(f)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no ready file " + f + " after " + timeout + "\n" + logs());
            }
            Procs.sleep(50);
        }
        Matcher m = Pattern.compile("pid=(\\d+) child=(\\d+) connected=([01])").matcher(readQuietly(f));
        if (!m.find()) {
            throw new AssertionError("unexpected ready file " + f + ": " + readQuietly(f));
        }
        long pid = Long.parseLong(m.group(1));
        String environ = readQuietly(Path.of("/proc", m.group(1), "environ"));
        Matcher job = Pattern.compile("(?:^|\\x00)SLURM_JOB_ID=(\\d+)").matcher(environ);
        return new Ready(job.find() ? job.group(1) : "", pid, Long.parseLong(m.group(2)), m.group(3).equals("1"));
    }

    /** Cancels every job of the cluster (between tests). */
    public void cancelAll() {
        run("scancel", "--full", "--quiet", "--partition=debug");
    }

    // ------------------------------------------------------------------------------------ cgroups

    /**
     * Every cgroup directory below Slurm's top directory ({@code slurm_<node>}) in every hierarchy:
     * uid, job, step and task cgroups, and anything created inside them. Empty when Slurm removed
     * all of its job cgroups.
     */
    public List<Path> leftoverCgroups() {
        List<Path> out = new ArrayList<>();
        for (String c : CONTROLLERS) {
            Path top = slurmRoot(c);
            if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> s = Files.walk(top)) {
                    s.filter(p -> !p.equals(top) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(out::add);
                } catch (IOException | UncheckedIOException e) {
                    // a directory removed while we walked: gone is what we count
                }
            }
        }
        return out;
    }

    /** The job's cgroup directories ({@code .../uid_U/job_ID}) in every hierarchy where they exist. */
    public Map<String, Path> jobCgroups(String id) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String c : CONTROLLERS) {
            Path top = slurmRoot(c);
            try (Stream<Path> s = Files.isDirectory(top) ? Files.list(top) : Stream.empty()) {
                s.map(uid -> uid.resolve("job_" + id)).filter(Files::isDirectory).findFirst()
                        .ifPresent(p -> out.put(c, p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + top, e);
            }
        }
        return out;
    }

    /** slurmd's log lines that contain {@code text}. */
    public List<String> slurmdLogLines(String text) {
        try {
            return Files.readAllLines(slurmdLog()).stream().filter(l -> l.contains(text)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * slurmd.log's "Cannot rmdir(DIR), cgroup is not empty" lines for job, step and task cgroups.
     * The same line for a {@code uid_N} directory is normal: Slurm tries it at the end of every
     * step and it fails while another job of that user runs.
     */
    public List<String> notEmptyJobCgroups() {
        Pattern jobDir = Pattern.compile("/(job|step|task)_[^/)]+\\), cgroup is not empty");
        return slurmdLogLines("not empty").stream().filter(l -> jobDir.matcher(l).find()).toList();
    }

    /** The tails of the daemons' logs, for failure messages. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.list(base.resolve("log"))) {
            for (Path f : s.sorted().toList()) {
                sb.append("--- ").append(f).append(" (last 25 lines)\n").append(ItPaths.tail(f, 25)).append('\n');
            }
        } catch (IOException e) {
            sb.append("(cannot list ").append(base.resolve("log")).append(": ").append(e).append(")\n");
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------ close

    /**
     * Stops slurmd, slurmctld and munged by PID (SIGTERM, SIGKILL after 10 s), kills every process
     * left in the confined cgroups, removes the cgroups deepest first and the cluster's directory
     * (after copying its logs to target/it-logs). Every step runs; the first failure is thrown.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> errors = new ArrayList<>();
        List<Process> reversed = new ArrayList<>(daemons);
        java.util.Collections.reverse(reversed);
        for (Process p : reversed) {
            step(errors, () -> stop(p));
        }
        step(errors, this::killConfined);
        step(errors, this::removeConfined);
        step(errors, this::keepLogs);
        step(errors, () -> deleteTree(base));
        OPEN.remove(this);
        if (!errors.isEmpty()) {
            RuntimeException first = errors.get(0);
            errors.subList(1, errors.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void step(List<RuntimeException> errors, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            errors.add(e);
        }
    }

    private static void stop(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Every PID in the confined trees: slurmstepd (at step end it moves itself to Slurm's "root") and job processes. */
    private Set<Long> confinedPids() {
        Set<Long> pids = new LinkedHashSet<>();
        for (Path top : allCreated()) {
            if (!Files.isDirectory(top)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(top)) {
                s.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                        .forEach(f -> pids.addAll(TestCgroups.procs(f.getParent())));
            } catch (IOException | UncheckedIOException e) {
                // removed meanwhile
            }
        }
        pids.remove(ProcessHandle.current().pid());
        return pids;
    }

    private List<Path> allCreated() {
        List<Path> out = new ArrayList<>(confined.values());
        out.addAll(homes.values());
        return out;
    }

    private void killConfined() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (Set<Long> left = confinedPids(); !left.isEmpty(); left = confinedPids()) {
            List<ProcessHandle> handles = left.stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream)
                    .toList();
            Procs.killTree(handles, Duration.ofSeconds(5));
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("processes left in Slurm's confined cgroups: " + left);
            }
            Procs.sleep(100);
        }
    }

    private void removeConfined() {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (;;) {
            List<Path> dirs = new ArrayList<>();
            for (Path top : allCreated()) {
                if (Files.isDirectory(top, LinkOption.NOFOLLOW_LINKS)) {
                    try (Stream<Path> s = Files.walk(top)) {
                        s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(dirs::add);
                    } catch (IOException | UncheckedIOException e) {
                        // removed meanwhile: the next round sees what is left
                    }
                }
            }
            if (dirs.isEmpty()) {
                return;
            }
            dirs.sort((a, b) -> b.getNameCount() - a.getNameCount());
            for (Path d : dirs) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    // EBUSY while a task is still exiting: retried below
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("cannot remove Slurm's confined cgroups: " + dirs);
            }
            Procs.sleep(100);
        }
    }

    private void keepLogs() {
        Path dest = ItPaths.logDir().resolve(base.getFileName());
        try (Stream<Path> s = Files.isDirectory(base.resolve("log")) ? Files.list(base.resolve("log")) : Stream.empty()) {
            Files.createDirectories(dest);
            for (Path f : s.toList()) {
                Files.copy(f, dest.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the Slurm logs to " + dest, e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    private static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String d : List.of(dir, "/usr/sbin", "/sbin")) {
                if (Files.isExecutable(Path.of(d, tool))) {
                    return Path.of(d, tool).toString();
                }
            }
        }
        return null;
    }

    private static String shortHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return h.contains(".") ? h.substring(0, h.indexOf('.')) : h;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host name", e);
        }
    }

    /** The 1, 5 and 15 minute load averages, as /proc/loadavg gives them ("1.02/0.80/0.55"). */
    public static String loadAverage() {
        String[] f = readQuietly(Path.of("/proc/loadavg")).split(" ");
        return f.length >= 3 ? f[0] + "/" + f[1] + "/" + f[2] : "?";
    }

    /** Text of a file, empty if it cannot be read. */
    static String readQuietly(Path f) {
        try {
            return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
