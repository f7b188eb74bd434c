package dev.lockmanager.lock.testing;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A Redis Cluster of real {@link RedisServer}s on loopback ports: by default 3 masters with one replica each, the
 * 16384 slots split evenly between the masters. Formed with plain cluster commands, so it works on Redis 6.2 and 7.x.
 *
 * <pre>{@code
 * try (RedisCluster cluster = new RedisCluster()) {
 *     cluster.start();
 *     connectTo(cluster.seeds());
 *     cluster.failover(cluster.replicaOf(cluster.masterFor("key")));
 * }
 * }</pre>
 *
 * <p>The node timeout is 2 seconds, so failures are detected quickly: a {@linkplain RedisServer#kill() killed} master's
 * replica is promoted by the cluster itself a few seconds later (see {@link #awaitMaster(RedisServer, Duration)}).
 * Starting a cluster takes a few seconds: in JUnit tests, share one through {@link RedisClusterExtension}. Roles
 * change with {@link #failover(RedisServer)} and slots move with {@link #migrateSlot(int, RedisServer)}, so ask
 * {@link #masters()}, {@link #replicas()} and {@link #masterFor(String)} again after one.
 */
public final class RedisCluster implements AutoCloseable {

	private static final int SLOTS = 16384;

	/** ADDSLOTS arguments per command: ADDSLOTSRANGE needs Redis 7.0. */
	private static final int SLOTS_PER_COMMAND = 1024;

	private static final Duration FORM_TIMEOUT = Duration.ofSeconds(30);

	private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(30);

	/** Redis gives a manual failover 5s (CLUSTER_MF_TIMEOUT) before it aborts it. */
	private static final Duration MANUAL_FAILOVER_ATTEMPT = Duration.ofSeconds(6);

	private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	/** Keys per MIGRATE command, as redis-cli --cluster reshard moves them. */
	private static final int KEYS_PER_MIGRATE = 100;

	private static final Duration MIGRATE_TIMEOUT = Duration.ofSeconds(5);

	// Diskless sync without its default 5s delay: replicas (re)join at once, after a start or a failover
	private static final String[] CLUSTER_ARGUMENTS = { "--cluster-enabled", "yes", "--cluster-config-file",
			"nodes.conf", "--cluster-node-timeout", "2000", "--repl-diskless-sync-delay", "0" };

	private final int masterCount;

	private final int replicasPerMaster;

	private final List<RedisServer> nodes = new ArrayList<>();

	/**
	 * Creates a cluster of 3 masters with one replica each, not started yet.
	 */
	public RedisCluster() {
		this(3, 1);
	}

	/**
	 * Creates a cluster that is not started yet.
	 * @param masters how many masters share the slots, at least 1
	 * @param replicasPerMaster how many replicas each master has
	 */
	public RedisCluster(int masters, int replicasPerMaster) {
		if (masters < 1 || replicasPerMaster < 0) {
			throw new IllegalArgumentException("Need at least 1 master and no negative replica count but got "
					+ masters + " masters, " + replicasPerMaster + " replicas per master");
		}
		this.masterCount = masters;
		this.replicasPerMaster = replicasPerMaster;
	}

	/**
	 * Starts the servers, forms the cluster and waits until every node reports {@code cluster_state:ok}, agrees on
	 * the slot owners and every replica is in sync with its master.
	 * @throws IllegalStateException if the cluster did not form within 30 seconds
	 */
	public synchronized void start() {
		if (!this.nodes.isEmpty()) {
			throw new IllegalStateException("The cluster is already started");
		}
		try {
			int total = this.masterCount * (1 + this.replicasPerMaster);
			for (int i = 0; i < total; i++) {
				RedisServer node = new RedisServer(CLUSTER_ARGUMENTS);
				this.nodes.add(node);
				node.start();
			}
			form();
		}
		catch (RuntimeException ex) {
			try {
				close();
			}
			catch (RuntimeException closeFailure) {
				ex.addSuppressed(closeFailure);
			}
			throw ex;
		}
	}

	private void form() {
		List<RedisServer> initialMasters = this.nodes.subList(0, this.masterCount);
		int perMaster = SLOTS / this.masterCount;
		for (int m = 0; m < this.masterCount; m++) {
			int first = m * perMaster;
			int last = (m == this.masterCount - 1) ? SLOTS - 1 : first + perMaster - 1;
			addSlots(initialMasters.get(m), first, last);
		}
		RedisServer seed = this.nodes.get(0);
		for (RedisServer node : this.nodes.subList(1, this.nodes.size())) {
			node.execute("CLUSTER", "MEET", seed.host(), String.valueOf(seed.port()));
		}
		// A node can only replicate a master it has heard of through gossip
		awaitCondition("every node to know all " + this.nodes.size() + " nodes", FORM_TIMEOUT,
				() -> this.nodes.stream().allMatch((node) -> knownNodes(node) == this.nodes.size()));
		List<RedisServer> replicaNodes = this.nodes.subList(this.masterCount, this.nodes.size());
		for (int r = 0; r < replicaNodes.size(); r++) {
			RedisServer master = initialMasters.get(r % this.masterCount);
			replicaNodes.get(r).execute("CLUSTER", "REPLICATE", nodeId(master));
		}
		awaitHealthy(FORM_TIMEOUT);
	}

	private static void addSlots(RedisServer master, int first, int last) {
		for (int from = first; from <= last; from += SLOTS_PER_COMMAND) {
			int to = Math.min(last, from + SLOTS_PER_COMMAND - 1);
			List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
			IntStream.rangeClosed(from, to).mapToObj(String::valueOf).forEach(command::add);
			master.execute(command.toArray(String[]::new));
		}
	}

	/**
	 * Waits until the cluster is fully in service: every node reports {@code cluster_state:ok} and sees the same slot
	 * owners, there are as many masters as configured, and every replica's link to its master is up.
	 * @param timeout how long to wait
	 * @throws IllegalStateException with the last state seen if the cluster is not healthy in time
	 */
	public void awaitHealthy(Duration timeout) {
		awaitCondition("the cluster to be healthy (cluster_state:ok everywhere, " + this.masterCount + " masters, "
				+ "replicas in sync, one slot map)", timeout, this::isHealthy);
	}

	private boolean isHealthy() {
		Set<List<SlotRange>> slotMaps = new HashSet<>();
		int masters = 0;
		for (RedisServer node : nodes()) {
			if (!clusterInfo(node).contains("cluster_state:ok")) {
				return false;
			}
			String replication = info(node, "replication");
			if (replication.contains("role:master")) {
				masters++;
			}
			else if (!replication.contains("master_link_status:up")) {
				return false;
			}
			slotMaps.add(slotRanges(node));
		}
		// Every node must agree, so that a client's redirections end where the test expects them
		return masters == this.masterCount && slotMaps.size() == 1 && slotMaps.iterator()
			.next()
			.stream()
			.mapToInt((range) -> range.last() - range.first() + 1)
			.sum() == SLOTS;
	}

	/**
	 * Returns every node, masters and replicas, in the order they were started.
	 * @return the nodes
	 */
	public synchronized List<RedisServer> nodes() {
		if (this.nodes.isEmpty()) {
			throw new IllegalStateException("The cluster has not been started");
		}
		return List.copyOf(this.nodes);
	}

	/**
	 * Returns the running nodes that are masters now.
	 * @return the masters
	 */
	public List<RedisServer> masters() {
		return runningNodes().stream().filter(RedisCluster::isMaster).toList();
	}

	/**
	 * Returns the running nodes that are replicas now.
	 * @return the replicas
	 */
	public List<RedisServer> replicas() {
		return runningNodes().stream().filter((node) -> !isMaster(node)).toList();
	}

	/**
	 * Returns a replica of {@code master}.
	 * @param master a master of this cluster
	 * @return one of its replicas
	 * @throws IllegalStateException if it has none
	 */
	public RedisServer replicaOf(RedisServer master) {
		String masterPort = String.valueOf(master.port());
		return replicas().stream()
			.filter((replica) -> info(replica, "replication").contains("master_port:" + masterPort + "\r\n"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(master + " has no replica"));
	}

	/**
	 * Returns the addresses of all nodes, as {@code spring.data.redis.cluster.nodes} takes them.
	 * @return {@code 127.0.0.1:<port>} for each node
	 */
	public List<String> seeds() {
		return nodes().stream().map((node) -> node.host() + ":" + node.port()).toList();
	}

	/**
	 * Returns the URI of each node.
	 * @return {@code redis://127.0.0.1:<port>} for each node
	 */
	public List<String> uris() {
		return nodes().stream().map(RedisServer::uri).toList();
	}

	/**
	 * Returns the hash slot of a key, as the cluster computes it (honouring a {@code {hash tag}}).
	 * @param key a Redis key
	 * @return its slot, from 0 to 16383
	 */
	public int slot(String key) {
		return Math.toIntExact((Long) anyNode().execute("CLUSTER", "KEYSLOT", key));
	}

	/**
	 * Returns the master that currently serves a key.
	 * @param key a Redis key
	 * @return the master owning its slot
	 */
	public RedisServer masterFor(String key) {
		return masterServing(slot(key));
	}

	/**
	 * Waits until {@code node} is a master and every running node sees it serving slots: after its master was
	 * {@linkplain RedisServer#kill() killed}, the cluster promotes a replica by itself once the node timeout has passed
	 * and the replicas held an election.
	 * @param node a node of this cluster, usually a replica of a killed master
	 * @param timeout how long to wait
	 * @throws IllegalStateException with the state of every node if it did not happen in time
	 */
	public void awaitMaster(RedisServer node, Duration timeout) {
		awaitCondition(node + " to serve slots as a master in every running node's view", timeout,
				() -> isMaster(node) && runningNodes().stream()
					.allMatch((viewer) -> slotRanges(viewer).stream()
						.anyMatch((range) -> range.masterPort() == node.port())));
	}

	/**
	 * Waits until every replica of {@code master} has acknowledged all its writes so far, so that they survive a
	 * {@linkplain RedisServer#kill() crash} of the master.
	 * @param master a master of this cluster
	 * @param timeout how long to wait
	 */
	public void awaitReplicated(RedisServer master, Duration timeout) {
		long offset = replicationOffset(info(master, "replication"));
		awaitCondition("the replicas of " + master + " to acknowledge offset " + offset, timeout, () -> {
			List<Long> acknowledged = info(master, "replication").lines()
				.filter((line) -> line.matches("slave\\d+:.*"))
				.map((line) -> Long.parseLong(line.replaceAll("^.*offset=(\\d+).*$", "$1")))
				.toList();
			return !acknowledged.isEmpty() && acknowledged.stream().allMatch((acked) -> acked >= offset);
		});
	}

	private static long replicationOffset(String replicationInfo) {
		return replicationInfo.lines()
			.filter((line) -> line.startsWith("master_repl_offset:"))
			.mapToLong((line) -> Long.parseLong(line.substring("master_repl_offset:".length()).trim()))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No master_repl_offset in " + replicationInfo));
	}

	/**
	 * Moves a hash slot and its keys to another master, as {@code redis-cli --cluster reshard} does.
	 * @param slot the slot to move
	 * @param to the master that will serve it
	 * @see #migrateSlot(int, RedisServer, Duration)
	 */
	public void migrateSlot(int slot, RedisServer to) {
		migrateSlot(slot, to, Duration.ZERO);
	}

	/**
	 * Moves a hash slot and its keys to another master, as {@code redis-cli --cluster reshard} does: {@code to} is set
	 * to import the slot and its current master to migrate it, {@code MIGRATE} moves its keys in batches, then every
	 * master is told the new owner (the target first, then the source, then the others), and this waits until every
	 * node agrees. Meanwhile the source answers {@code ASK} for keys it no longer has and {@code TRYAGAIN} for
	 * multi-key commands whose keys are split between the two; afterwards every node answers {@code MOVED}.
	 * @param slot the slot to move
	 * @param to the master that will serve it
	 * @param pause how long to hold each intermediate state (migrating with the keys still on the source, then with
	 * them on the target), so that clients running meanwhile meet those redirections
	 * @throws IllegalArgumentException if {@code to} already serves the slot or is not a master
	 */
	public void migrateSlot(int slot, RedisServer to, Duration pause) {
		RedisServer from = masterServing(slot);
		if (from == to || !isMaster(to)) {
			throw new IllegalArgumentException("Cannot move slot " + slot + " from " + from + " to " + to
					+ ": the target must be another master");
		}
		String fromId = nodeId(from);
		String toId = nodeId(to);
		String slotArgument = String.valueOf(slot);
		to.execute("CLUSTER", "SETSLOT", slotArgument, "IMPORTING", fromId);
		from.execute("CLUSTER", "SETSLOT", slotArgument, "MIGRATING", toId);
		pause(pause, "slot " + slot + " to be migrating");
		for (List<?> keys = keysInSlot(from, slotArgument); !keys.isEmpty(); keys = keysInSlot(from, slotArgument)) {
			List<String> command = new ArrayList<>(List.of("MIGRATE", to.host(), String.valueOf(to.port()), "", "0",
					String.valueOf(MIGRATE_TIMEOUT.toMillis()), "KEYS"));
			keys.forEach((key) -> command.add((String) key));
			from.execute(command.toArray(String[]::new));
		}
		pause(pause, "slot " + slot + " to be migrated");
		// The target first, so that it never redirects back to the source
		to.execute("CLUSTER", "SETSLOT", slotArgument, "NODE", toId);
		from.execute("CLUSTER", "SETSLOT", slotArgument, "NODE", toId);
		for (RedisServer master : masters()) {
			if (master != to && master != from) {
				master.execute("CLUSTER", "SETSLOT", slotArgument, "NODE", toId);
			}
		}
		awaitHealthy(FORM_TIMEOUT);
	}

	private static List<?> keysInSlot(RedisServer node, String slot) {
		return (List<?>) node.execute("CLUSTER", "GETKEYSINSLOT", slot, String.valueOf(KEYS_PER_MIGRATE));
	}

	private RedisServer masterServing(int slot) {
		int port = slotRanges(anyNode()).stream()
			.filter((range) -> range.contains(slot))
			.mapToInt(SlotRange::masterPort)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No master serves slot " + slot));
		return nodes().stream()
			.filter((node) -> node.port() == port)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("Slot " + slot + " is served by unknown port " + port));
	}

	/**
	 * Promotes a replica with {@code CLUSTER FAILOVER} (its master agrees and hands over without losing writes) and
	 * waits until it is a master and the cluster is {@linkplain #awaitHealthy(Duration) healthy} again, its former
	 * master now replicating it.
	 * @param replica a replica of this cluster
	 * @throws IllegalStateException if the failover did not complete within 30 seconds (asking again when Redis aborted it)
	 */
	public void failover(RedisServer replica) {
		if (isMaster(replica)) {
			throw new IllegalArgumentException(replica + " is already a master");
		}
		long deadline = System.nanoTime() + FAILOVER_TIMEOUT.toNanos();
		while (true) {
			replica.execute("CLUSTER", "FAILOVER");
			try {
				awaitCondition(replica + " to become master", MANUAL_FAILOVER_ATTEMPT, () -> isMaster(replica));
				break;
			}
			catch (IllegalStateException ex) {
				// Redis aborts a manual failover that does not complete within 5s (a busy machine): ask again.
				if (System.nanoTime() - deadline > 0) {
					throw ex;
				}
			}
		}
		awaitHealthy(FAILOVER_TIMEOUT);
	}

	/**
	 * Stops every node and deletes their directories.
	 */
	@Override
	public synchronized void close() {
		RuntimeException failure = null;
		for (RedisServer node : this.nodes) {
			try {
				node.close();
			}
			catch (RuntimeException ex) {
				if (failure == null) {
					failure = ex;
				}
				else {
					failure.addSuppressed(ex);
				}
			}
		}
		this.nodes.clear();
		if (failure != null) {
			throw failure;
		}
	}

	@Override
	public synchronized String toString() {
		return "Redis Cluster " + this.nodes.stream().map(RedisServer::toString).collect(Collectors.joining(", "));
	}

	private RedisServer anyNode() {
		return runningNodes().stream()
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of the cluster is running"));
	}

	/** A killed node is still one of {@link #nodes()} until it is started again, but answers nothing. */
	private List<RedisServer> runningNodes() {
		return nodes().stream().filter(RedisServer::isRunning).toList();
	}

	private static void pause(Duration pause, String description) {
		if (pause.isZero()) {
			return;
		}
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while holding " + description, ex);
		}
	}

	private static boolean isMaster(RedisServer node) {
		return "master".equals(((List<?>) node.execute(PROBE_TIMEOUT, "ROLE")).get(0));
	}

	private static String nodeId(RedisServer node) {
		return (String) node.execute("CLUSTER", "MYID");
	}

	private static int knownNodes(RedisServer node) {
		// A node still in handshake is listed but not yet known by its real id
		return (int) ((String) node.execute(PROBE_TIMEOUT, "CLUSTER", "NODES")).lines()
			.filter((line) -> !line.contains("handshake"))
			.count();
	}

	private static String clusterInfo(RedisServer node) {
		return (String) node.execute(PROBE_TIMEOUT, "CLUSTER", "INFO");
	}

	private static String info(RedisServer node, String section) {
		return (String) node.execute(PROBE_TIMEOUT, "INFO", section);
	}

	/**
	 * The slot ranges a node believes each master serves, sorted, from {@code CLUSTER SLOTS}: unlike
	 * {@code CLUSTER SHARDS} it exists on Redis 6.2.
	 */
	private static List<SlotRange> slotRanges(RedisServer node) {
		List<SlotRange> ranges = new ArrayList<>();
		for (Object range : (List<?>) node.execute(PROBE_TIMEOUT, "CLUSTER", "SLOTS")) {
			List<?> fields = (List<?>) range;
			ranges.add(new SlotRange(((Long) fields.get(0)).intValue(), ((Long) fields.get(1)).intValue(),
					((Long) ((List<?>) fields.get(2)).get(1)).intValue()));
		}
		ranges.sort(Comparator.comparingInt(SlotRange::first));
		return ranges;
	}

	private void awaitCondition(String description, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		RuntimeException lastFailure = null;
		while (true) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (UncheckedIOException | IllegalStateException ex) {
				lastFailure = ex; // a node busy with a failover may not answer for a moment
			}
			if (System.nanoTime() - deadline > 0) {
				IllegalStateException timedOut = new IllegalStateException("Timed out after " + timeout.toSeconds()
						+ "s waiting for " + description + "; state:\n" + describe(nodesOrEmpty()));
				if (lastFailure != null) {
					timedOut.addSuppressed(lastFailure);
				}
				throw timedOut;
			}
			try {
				Thread.sleep(POLL_INTERVAL.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + description, ex);
			}
		}
	}

	private synchronized List<RedisServer> nodesOrEmpty() {
		return List.copyOf(this.nodes);
	}

	private static String describe(Collection<RedisServer> nodes) {
		return nodes.stream().map((node) -> {
			try {
				String state = clusterInfo(node).lines()
					.filter((line) -> line.startsWith("cluster_state") || line.startsWith("cluster_known_nodes"))
					.collect(Collectors.joining(" "));
				return node + ": " + state + " role " + ((List<?>) node.execute(PROBE_TIMEOUT, "ROLE")).get(0) + "\n"
						+ node.execute(PROBE_TIMEOUT, "CLUSTER", "NODES");
			}
			catch (RuntimeException ex) {
				return node + ": " + ex.getMessage();
			}
		}).collect(Collectors.joining("\n"));
	}

	private record SlotRange(int first, int last, int masterPort) {

		boolean contains(int slot) {
			return this.first <= slot && slot <= this.last;
		}

	}

}
