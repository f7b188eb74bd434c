package dev.lockmanager.lock.testing;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A Redis Sentinel deployment of real processes on loopback ports: one master, two replicas and three sentinels
 * monitoring the master as {@value #MASTER_NAME} with a quorum of two, tuned to fail over within a few seconds.
 *
 * <pre>{@code
 * try (RedisSentinelGroup group = new RedisSentinelGroup()) {
 *     group.start();
 *     connect(new RedisSentinelConfiguration(group.masterName(), group.sentinelNodes()));
 *     RedisServer former = group.killMaster();
 *     RedisServer promoted = group.awaitFailover(Duration.ofSeconds(20));
 * }
 * }</pre>
 *
 * The sentinel directives are passed on the command line ({@code --sentinel monitor ...}), which both Redis 6.2 and
 * 7.x accept; the empty config file each {@link RedisServer} gets is where a sentinel rewrites its state.
 */
public final class RedisSentinelGroup implements AutoCloseable {

	/** The name the sentinels monitor the master under. */
	public static final String MASTER_NAME = "mymaster";

	private static final String HOST = "127.0.0.1";

	private static final int REPLICAS = 2;

	private static final int SENTINELS = 3;

	private static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(20);

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

	private static final long POLL_MILLIS = 50;

	/**
	 * Every data node may become a master. Redis 7 syncs replicas without disk by default and then waits 5 seconds
	 * for more replicas to arrive before it starts: sync at once instead.
	 */
	private static final String[] DATA_NODE_ARGUMENTS = { "--repl-diskless-sync-delay", "0" };

	private final List<RedisServer> dataNodes = new ArrayList<>();

	private final List<RedisServer> sentinels = new ArrayList<>();

	private int formerMasterPort;

	/**
	 * Starts the master, its replicas and the sentinels, and waits until every sentinel sees the master, both
	 * replicas in sync and the two other sentinels: only then can they agree on a failover.
	 * @throws IllegalStateException if the group did not form within 20 seconds, with what each sentinel saw
	 */
	public synchronized void start() {
		if (!this.dataNodes.isEmpty()) {
			throw new IllegalStateException("The sentinel group was already started");
		}
		try {
			RedisServer master = startServer(new RedisServer(DATA_NODE_ARGUMENTS));
			for (int i = 0; i < REPLICAS; i++) {
				List<String> arguments = new ArrayList<>(List.of(DATA_NODE_ARGUMENTS));
				arguments.addAll(List.of("--replicaof", HOST, String.valueOf(master.port())));
				startServer(new RedisServer(arguments.toArray(String[]::new)));
			}
			// A sentinel learns the replicas from the master's INFO, refreshed only every 10 seconds once it runs:
			// starting the sentinels after the replicas are attached makes the first INFO list them.
			awaitCondition("the master to have " + REPLICAS + " replicas online", FORMATION_TIMEOUT,
					() -> countOccurrences(info(master, "replication"), "state=online") == REPLICAS,
					() -> info(master, "replication"));
			for (int i = 0; i < SENTINELS; i++) {
				RedisServer sentinel = new RedisServer("--sentinel", "--sentinel", "monitor", MASTER_NAME, HOST,
						String.valueOf(master.port()), "2", "--sentinel", "down-after-milliseconds", MASTER_NAME,
						"1000", "--sentinel", "failover-timeout", MASTER_NAME, "5000", "--sentinel",
						"parallel-syncs", MASTER_NAME, "1");
				this.sentinels.add(sentinel);
				sentinel.start();
			}
			awaitCondition("every sentinel to see the master, " + REPLICAS + " replicas and " + (SENTINELS - 1)
					+ " other sentinels", FORMATION_TIMEOUT, this::formed, this::sentinelViews);
			this.formerMasterPort = master.port();
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
	}

	/**
	 * Returns the name the sentinels monitor the master under, for {@code RedisSentinelConfiguration}.
	 * @return {@value #MASTER_NAME}
	 */
	public String masterName() {
		return MASTER_NAME;
	}

	/**
	 * Returns the sentinel addresses, for {@code RedisSentinelConfiguration}.
	 * @return {@code 127.0.0.1:<port>} of each sentinel
	 */
	public synchronized List<String> sentinelNodes() {
		return this.sentinels.stream().map((sentinel) -> HOST + ":" + sentinel.port()).toList();
	}

	/**
	 * Returns the sentinel processes, e.g. to stop one.
	 * @return the sentinels
	 */
	public synchronized List<RedisServer> sentinels() {
		return List.copyOf(this.sentinels);
	}

	/**
	 * Returns the current master, as the first sentinel that answers reports it.
	 * @return the master
	 * @throws IllegalStateException if no sentinel answers or it names a server outside this group
	 */
	public synchronized RedisServer master() {
		return dataNode(reportedMasterPort().orElseThrow(() -> new IllegalStateException(
				"No sentinel reports a master for " + MASTER_NAME + ": " + sentinelViews())));
	}

	/**
	 * Returns the running data nodes other than the current master.
	 * @return the replicas
	 */
	public synchronized List<RedisServer> replicas() {
		RedisServer master = master();
		return this.dataNodes.stream().filter((node) -> node != master && node.isRunning()).toList();
	}

	/**
	 * SIGKILLs the current master, like a crash: unlike SIGTERM, Redis gets no chance to hand its last writes to
	 * the replicas.
	 * @return the killed server, stopped; {@link RedisServer#start()} brings it back on its port
	 */
	public synchronized RedisServer killMaster() {
		RedisServer master = master();
		master.kill();
		this.formerMasterPort = master.port();
		return master;
	}

	/**
	 * Waits until every running sentinel reports a master other than the one last {@linkplain #killMaster() killed}
	 * (or, if none was, the master the group started with) and that server answers as {@code role:master}.
	 * @param timeout how long to wait
	 * @return the new master
	 * @throws IllegalStateException if the failover did not complete in time, with what each sentinel saw
	 */
	public synchronized RedisServer awaitFailover(Duration timeout) {
		awaitCondition("the sentinels to promote a replica of the master on port " + this.formerMasterPort, timeout,
				this::failedOver, this::sentinelViews);
		return master();
	}

	/**
	 * Waits until the group can fail over again, as after {@link #start()}: every sentinel sees the master with no
	 * failover in progress, both replicas connected and in sync (a killed server {@linkplain RedisServer#start()
	 * started} again counts once the sentinels made it a replica) and the two other sentinels. A failover is
	 * {@linkplain #awaitFailover(Duration) seen} before its leader has reconfigured every replica; killing the new
	 * master before then can leave the sentinels disagreeing for longer than any timeout here.
	 * @param timeout how long to wait
	 * @throws IllegalStateException if the group did not settle in time, with what each sentinel saw
	 */
	public synchronized void awaitSettled(Duration timeout) {
		awaitCondition("every sentinel to see the master with no failover in progress, " + REPLICAS
				+ " replicas in sync and " + (SENTINELS - 1) + " other sentinels", timeout, this::formed,
				this::sentinelViews);
	}

	/**
	 * Stops every process of the group and deletes their directories.
	 */
	@Override
	public synchronized void close() {
		List<RuntimeException> failures = new ArrayList<>();
		// Sentinels first, so that they do not reconfigure the data nodes while these stop
		for (RedisServer server : concat(this.sentinels, this.dataNodes)) {
			try {
				server.close();
			}
			catch (RuntimeException ex) {
				failures.add(ex);
			}
		}
		this.sentinels.clear();
		this.dataNodes.clear();
		if (!failures.isEmpty()) {
			RuntimeException failure = failures.get(0);
			failures.subList(1, failures.size()).forEach(failure::addSuppressed);
			throw failure;
		}
	}

	@Override
	public synchronized String toString() {
		return "RedisSentinelGroup[dataNodes=" + this.dataNodes + ", sentinels=" + this.sentinels + "]";
	}

	private RedisServer startServer(RedisServer server) {
		this.dataNodes.add(server);
		server.start();
		return server;
	}

	private boolean formed() {
		for (RedisServer sentinel : this.sentinels) {
			Map<String, String> master = fields(sentinel.execute(PROBE_TIMEOUT, "SENTINEL", "MASTER", MASTER_NAME));
			if (!"master".equals(master.get("flags")) || !String.valueOf(REPLICAS).equals(master.get("num-slaves"))
					|| !String.valueOf(SENTINELS - 1).equals(master.get("num-other-sentinels"))) {
				return false;
			}
			// Only a replica the sentinel sees as connected and in sync is a candidate for promotion
			List<?> replicas = (List<?>) sentinel.execute(PROBE_TIMEOUT, "SENTINEL", "REPLICAS", MASTER_NAME);
			for (Object replica : replicas) {
				Map<String, String> view = fields(replica);
				if (!"slave".equals(view.get("flags")) || !"ok".equals(view.get("master-link-status"))) {
					return false;
				}
			}
		}
		return true;
	}

	private boolean failedOver() {
		int agreed = 0;
		for (RedisServer sentinel : this.sentinels) {
			if (!sentinel.isRunning()) {
				continue;
			}
			Optional<Integer> port = masterPortFrom(sentinel);
			if (port.isEmpty() || port.get() == this.formerMasterPort) {
				return false;
			}
			if (!info(dataNode(port.get()), "replication").contains("role:master\r\n")) {
				return false;
			}
			agreed++;
		}
		return agreed > 0;
	}

	private Optional<Integer> reportedMasterPort() {
		for (RedisServer sentinel : this.sentinels) {
			if (sentinel.isRunning()) {
				try {
					Optional<Integer> port = masterPortFrom(sentinel);
					if (port.isPresent()) {
						return port;
					}
				}
				catch (UncheckedIOException | IllegalStateException ex) {
					// Ask the next sentinel
				}
			}
		}
		return Optional.empty();
	}

	private static Optional<Integer> masterPortFrom(RedisServer sentinel) {
		List<?> address = (List<?>) sentinel.execute(PROBE_TIMEOUT, "SENTINEL", "GET-MASTER-ADDR-BY-NAME",
				MASTER_NAME);
		return (address != null) ? Optional.of(Integer.valueOf((String) address.get(1))) : Optional.empty();
	}

	private RedisServer dataNode(int port) {
		return this.dataNodes.stream()
			.filter((node) -> node.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No data node of this group listens on port " + port));
	}

	private String sentinelViews() {
		StringBuilder views = new StringBuilder();
		for (RedisServer sentinel : this.sentinels) {
			views.append("\n  ").append(sentinel).append(": ");
			try {
				Map<String, String> master = fields(sentinel.execute(PROBE_TIMEOUT, "SENTINEL", "MASTER", MASTER_NAME));
				views.append("master port ")
					.append(master.get("port"))
					.append(", flags ")
					.append(master.get("flags"))
					.append(", num-slaves ")
					.append(master.get("num-slaves"))
					.append(", num-other-sentinels ")
					.append(master.get("num-other-sentinels"));
				for (Object replica : (List<?>) sentinel.execute(PROBE_TIMEOUT, "SENTINEL", "REPLICAS",
						MASTER_NAME)) {
					Map<String, String> view = fields(replica);
					views.append("; replica ")
						.append(view.get("port"))
						.append(" ")
						.append(view.get("flags"))
						.append(" link ")
						.append(view.get("master-link-status"));
				}
			}
			catch (RuntimeException ex) {
				views.append(ex.getMessage());
			}
		}
		return views.toString();
	}

	private static String info(RedisServer server, String section) {
		return String.valueOf(server.execute(PROBE_TIMEOUT, "INFO", section));
	}

	/** Sentinel replies describing a master or replica are flat lists of names and values. */
	private static Map<String, String> fields(Object reply) {
		List<?> list = (List<?>) reply;
		Map<String, String> fields = new HashMap<>();
		for (int i = 0; i + 1 < list.size(); i += 2) {
			fields.put(String.valueOf(list.get(i)), String.valueOf(list.get(i + 1)));
		}
		return fields;
	}

	private static int countOccurrences(String text, String part) {
		int count = 0;
		for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
			count++;
		}
		return count;
	}

	private static String describe(Supplier<String> state) {
		try {
			return state.get();
		}
		catch (RuntimeException ex) {
			return "(" + ex.getMessage() + ")";
		}
	}

	private static List<RedisServer> concat(List<RedisServer> first, List<RedisServer> second) {
		List<RedisServer> all = new ArrayList<>(first);
		all.addAll(second);
		return all;
	}

	/**
	 * Polls until {@code condition} holds; a probe that fails (a server restarting, a sentinel not yet monitoring)
	 * counts as not yet.
	 */
	private static void awaitCondition(String what, Duration timeout, Supplier<Boolean> condition,
			Supplier<String> state) {
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException lastFailure = null;
		while (true) {
			try {
				if (condition.get()) {
					return;
				}
				lastFailure = null;
			}
			catch (UncheckedIOException | IllegalStateException ex) {
				lastFailure = ex;
			}
			if (System.nanoTime() - deadline > 0) {
				IllegalStateException timedOut = new IllegalStateException(
						"Timed out after " + timeout + " waiting for " + what + "; last seen:" + describe(state));
				if (lastFailure != null) {
					timedOut.addSuppressed(lastFailure);
				}
				throw timedOut;
			}
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + what, ex);
			}
		}
	}

}
