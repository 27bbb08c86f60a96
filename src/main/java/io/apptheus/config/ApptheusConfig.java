package io.apptheus.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The agent's settings. Flags ({@code --socket.path}) are mapped onto these properties by the
 * command line; application.properties and APPTHEUS_* environment variables set them too.
 */
@ConfigMapping(prefix = "apptheus")
public interface ApptheusConfig {

    Socket socket();

    Trust trust();

    Monitor monitor();

    Cgroup cgroup();

    Metrics metrics();

    Web web();

    Label label();

    Paths path();

    /**
     * Where the kernel's files are read: procfs and sysfs (their cgroup mounts are taken from
     * {@code <procfs>/self/mountinfo} and re-rooted under this sysfs). Not flags: other roots serve
     * the end-to-end test that runs the agent on captured trees (it/AgentOnFixturesIT).
     */
    interface Paths {
        @WithDefault("/proc")
        String procfs();

        @WithDefault("/sys")
        String sysfs();
    }

    Proc proc();

    /** Bounds of what is read of a caller's /proc files, which its user controls. */
    interface Proc {
        /** Bytes read of a starter's title (/proc/PID/cmdline) and kept of an executable's path. */
        @WithName("max-read-bytes")
        @WithDefault("4096")
        int maxReadBytes();

        /** Bytes of a starter's environment (/proc/PID/environ) searched for SLURM_JOB_ID. */
        @WithName("max-environ-bytes")
        @WithDefault("131072")
        int maxEnvironBytes();
    }

    /** Optional labels on every container series; each is one more value stored with every sample. */
    interface Label {
        /** user: the name of the starter's uid. */
        @WithDefault("true")
        boolean user();

        /** apptainer_instance: NAME from the starter's title "Apptainer instance: USER [NAME]". */
        @WithDefault("true")
        boolean instance();

        /** slurm_job_id: SLURM_JOB_ID from the starter's environment. */
        @WithDefault("false")
        boolean slurm();

        /**
         * Longest instance name, title user or Slurm job id kept (UTF-8 bytes, whole characters):
         * cut once when read, the same in the labels, the API, the page and ps.
         */
        @WithName("max-value-bytes")
        @WithDefault("128")
        int maxValueBytes();
    }

    interface Socket {
        @WithDefault("/run/apptheus/gateway.sock")
        String path();

        /**
         * Registrations being verified at once; further callers wait for their turn, taken from
         * each uid in turn (io.apptheus.gateway.Admission).
         */
        @WithName("max-pending")
        @WithDefault("32")
        int maxPending();

        /** Connections waiting for their turn or being verified, all uids; past it a caller is refused. */
        @WithName("max-waiting")
        @WithDefault("10240")
        int maxWaiting();

        /** The same for one uid (SO_PEERCRED's); past it that uid's callers are refused at accept. */
        @WithName("max-waiting-per-uid")
        @WithDefault("8192")
        int maxWaitingPerUid();

        /** After an untrusted caller, the next caller of the same uid is verified no sooner than this. */
        @WithName("untrusted-backoff")
        @WithDefault("100ms")
        Duration untrustedBackoff();
    }

    interface Trust {
        /** ';'-separated absolute paths of trusted executables; empty trusts nobody. */
        Optional<String> path();
    }

    interface Monitor {
        /** Sampling interval of the sweep. */
        @WithDefault("0.5s")
        Duration interval();

        /** Containers monitored at once (running and retained); past it a caller is refused. */
        @WithName("max-containers")
        @WithDefault("10000")
        int maxContainers();

        /**
         * How often limits and settings, and the while-active files of an idle container, are read
         * (rounded to whole sweeps, at least every sweep).
         */
        @WithName("slow-interval")
        @WithDefault("30s")
        Duration slowInterval();

        /** Threads that share each sweep's containers; 1 reads them all on the scheduler's thread. */
        @WithName("sweep-threads")
        @WithDefault("1")
        int sweepThreads();
    }

    interface Cgroup {
        /** Relative: under the agent's own cgroup; absolute: under each hierarchy root. */
        @WithDefault("/metric_gateway")
        String parent();

        /**
         * root: {@code <parent>/<exe>_<pid>} (Apptheus's tree); nested: inside the caller's own cgroup
         * in each hierarchy, so its job's or slice's limits keep applying (in a Slurm job, Slurm's task
         * cgroup itself); auto: nested for a caller in a Slurm job, root otherwise. See
         * {@code io.apptheus.cgroup.Placement}.
         */
        @WithDefault("auto")
        Placement placement();
    }

    enum Placement { ROOT, NESTED, AUTO }

    interface Metrics {
        /** "apptheus" adds the original Apptheus's metric names next to the cAdvisor ones. */
        @WithDefault("none")
        String compat();

        /** How long a finished container's final values stay visible. */
        @WithName("retain-exited")
        @WithDefault("60s")
        Duration retainExited();
    }

    interface Web {
        @WithName("telemetry-path")
        @WithDefault("/metrics")
        String telemetryPath();

        /**
         * Every {@code --web.listen-address} as host:port, each served by io.apptheus.web.HttpListeners;
         * absent: quarkus.http.host and quarkus.http.port (:9091).
         */
        @WithName("listen-address")
        Optional<List<String>> listenAddress();

        /** HTTP connections open at once, all listeners and clients together; past it one is closed at accept. */
        @WithName("max-connections")
        @WithDefault("512")
        int maxConnections();

        /** HTTP connections open at once from one client address (an IPv6 client: its /64). */
        @WithName("max-connections-per-address")
        @WithDefault("64")
        int maxConnectionsPerAddress();

        /** Time to send a complete request head, from the connection or the request's first byte. */
        @WithName("read-header-timeout")
        @WithDefault("10s")
        Duration readHeaderTimeout();

        /** Time a connection may stay with no read and no write progress. */
        @WithName("idle-timeout")
        @WithDefault("60s")
        Duration idleTimeout();

        /** The exporter-toolkit web config (TLS, basic auth); absent or empty: plain HTTP, no authentication. */
        @WithName("config-file")
        Optional<String> configFile();

        /** Prefix of every HTTP route; "/" or absent: the path of {@link #externalUrl()}, else none. */
        @WithName("route-prefix")
        Optional<String> routePrefix();

        /** Where the agent is reachable from outside (behind a proxy); its path is the default route prefix. */
        @WithName("external-url")
        Optional<String> externalUrl();

        /** Serve HTTP on the listening sockets systemd passes (LISTEN_FDS) instead of binding its own. */
        @WithName("systemd-socket")
        @WithDefault("false")
        boolean systemdSocket();

        /** Set by the command line, not by hand: the descriptors of those sockets, e.g. "3,4". */
        @WithName("systemd-fds")
        Optional<String> systemdFds();

        /** Scrapes, status API and page answers made at once; one more is answered 503. */
        @WithName("max-requests")
        @WithDefault("8")
        int maxRequests();

        /** An answer whose client took none of it for this long is given up and its connection closed. */
        @WithName("write-timeout")
        @WithDefault("10s")
        Duration writeTimeout();
    }
}
