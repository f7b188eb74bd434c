package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * {@link LeaseStore} over N independent Redis masters with a majority quorum (the Redlock algorithm): a lease is
 * granted when a majority of the nodes granted it within a per-node timeout much shorter than the ttl, and is valid
 * for ttl − elapsed − drift; renewal and release need a majority too.
 * <p>
 * Fencing tokens stay strictly increasing: each node issues max(its last token + 1, its time in µs); the client takes
 * the largest its majority issued and, in a second step, raises the counter of those nodes to it before returning
 * the lease. Any later majority shares at least one node with this one, and that node then issues a larger token.
 * The lease is returned only if the second step reached a majority while the lease was still valid.
 * <p>
 * Safety needs what Redlock needs: bounded clock drift between the nodes and the client, and nodes that do not forget
 * a granted lease while it is valid (persistence with {@code appendfsync always}, or restarts delayed by the maximum
 * ttl).
 */
final class QuorumLeaseStore implements LeaseStore, AutoCloseable {

	private final List<RedisLeaseStore> nodes;

	private final int quorum;

	private final long nodeTimeoutNanos;

	private final ThreadPoolExecutor calls;

	QuorumLeaseStore(List<RedisLeaseStore> nodes, long nodeTimeoutNanos) {
		this.nodes = List.copyOf(nodes);
		this.quorum = nodes.size() / 2 + 1;
		this.nodeTimeoutNanos = nodeTimeoutNanos;
		CustomizableThreadFactory threads = new CustomizableThreadFactory("lock-quorum-");
		threads.setDaemon(true);
		int size = 4 * nodes.size();
		this.calls = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000),
				threads);
		this.calls.allowCoreThreadTimeOut(true);
	}

	@Override
	public long driftNanos(long ttlNanos) {
		return ttlNanos / 100 + TimeUnit.MILLISECONDS.toNanos(2);
	}

	@Override
	public Attempt acquire(LockKeys keys, String owner, long ttlMillis, int replicas, long lineMillis) {
		long start = System.nanoTime();
		List<Reply<Attempt>> replies = onAll((node) -> node.acquire(keys, owner, ttlMillis, replicas, 0));
		List<Integer> granted = new ArrayList<>();
		long token = 0;
		long holderRemaining = -1;
		for (int i = 0; i < replies.size(); i++) {
			Attempt attempt = replies.get(i).value();
			if (attempt != null && attempt.acquired()) {
				granted.add(i);
				token = Math.max(token, attempt.fencingToken());
			}
			else if (attempt != null && attempt.holderRemainingMillis() >= 0) {
				holderRemaining = (holderRemaining < 0) ? attempt.holderRemainingMillis()
						: Math.min(holderRemaining, attempt.holderRemainingMillis());
			}
		}
		if (granted.size() >= this.quorum && valid(start, ttlMillis)) {
			long chosen = token;
			List<Reply<Long>> raised = onNodes(granted, (node) -> {
				node.raiseFencing(keys, chosen, ttlMillis);
				return 1L;
			});
			if (answered(raised) >= this.quorum && valid(start, ttlMillis)) {
				return Attempt.granted(chosen);
			}
		}
		// Not granted: give back what was granted, and what may have been (a node that did not answer in time).
		List<Integer> giveBack = new ArrayList<>();
		for (int i = 0; i < replies.size(); i++) {
			Attempt attempt = replies.get(i).value();
			if (attempt == null || attempt.acquired()) {
				giveBack.add(i);
			}
		}
		if (!giveBack.isEmpty()) {
			onNodes(giveBack, (node) -> node.release(keys, owner));
		}
		int unreachable = (int) replies.stream().filter((reply) -> reply.value() == null).count();
		if (unreachable > this.nodes.size() - this.quorum) {
			throw new DataAccessResourceFailureException("Only " + (this.nodes.size() - unreachable) + " of "
					+ this.nodes.size() + " Redis nodes answered within " + TimeUnit.NANOSECONDS.toMillis(this.nodeTimeoutNanos)
					+ "ms; a majority of " + this.quorum + " is needed");
		}
		return Attempt.held(holderRemaining);
	}

	@Override
	public boolean release(LockKeys keys, String owner) {
		List<Reply<Boolean>> replies = onAll((node) -> node.release(keys, owner));
		return decide(replies, "release");
	}

	/**
	 * Waits for the nodes (at most the node timeout, much shorter than any ttl) and decides each claim by majority.
	 */
	@Override
	public List<CompletableFuture<Renewal>> renew(List<Claim> claims) {
		List<Reply<List<Renewal>>> replies = onAll((node) -> node.renew(claims)
			.stream()
			.map(CompletableFuture::join)
			.toList());
		List<CompletableFuture<Renewal>> renewals = new ArrayList<>(claims.size());
		for (int i = 0; i < claims.size(); i++) {
			int claim = i;
			List<Reply<Boolean>> perClaim = replies.stream().map((reply) -> {
				Renewal renewal = (reply.value() != null) ? reply.value().get(claim) : null;
				return new Reply<>((renewal != null && renewal.failure() == null) ? renewal.extended() : null);
			}).toList();
			Renewal decided;
			try {
				decided = decide(perClaim, "renew") ? Renewal.EXTENDED : Renewal.REFUSED;
			}
			catch (DataAccessResourceFailureException ex) {
				decided = Renewal.failed(ex);
			}
			renewals.add(CompletableFuture.completedFuture(decided));
		}
		return renewals;
	}

	/**
	 * The lease is held when a majority of the nodes hold it for the same owner; its remaining time is what that
	 * majority still grants, less the drift, and its token the largest of theirs (the second step of acquire raised
	 * them to it; later attempts cannot change a node that holds the lease).
	 */
	@Override
	public Inspection inspect(LockKeys keys) {
		List<Reply<Inspection>> replies = onAll((node) -> node.inspect(keys));
		if (answered(replies) < this.quorum) {
			throw new DataAccessResourceFailureException("Only " + answered(replies) + " of " + this.nodes.size()
					+ " Redis nodes answered; a majority of " + this.quorum + " is needed");
		}
		Map<String, List<Inspection>> byOwner = replies.stream()
			.map(Reply::value)
			.filter((inspection) -> inspection != null && inspection.held())
			.collect(Collectors.groupingBy(Inspection::owner));
		for (List<Inspection> holders : byOwner.values()) {
			if (holders.size() >= this.quorum) {
				long[] remaining = holders.stream().mapToLong(Inspection::remainingMillis).sorted().toArray();
				long granted = remaining[remaining.length - this.quorum];
				long valid = granted - TimeUnit.NANOSECONDS.toMillis(driftNanos(TimeUnit.MILLISECONDS.toNanos(granted)));
				long token = holders.stream().mapToLong(Inspection::fencingToken).max().orElse(0);
				return (valid > 0) ? new Inspection(holders.get(0).owner(), valid, token) : new Inspection(null, 0, 0);
			}
		}
		return new Inspection(null, 0, 0);
	}

	/**
	 * Checks every node in parallel; a node that does not answer within the node timeout (or {@code timeout}, when
	 * shorter) is reported unreachable.
	 */
	@Override
	public BackendStatus check(Duration timeout) {
		long within = (timeout.compareTo(Duration.ofNanos(this.nodeTimeoutNanos)) < 0) ? timeout.toNanos()
				: this.nodeTimeoutNanos;
		List<Reply<BackendStatus.Node>> replies = onNodes(all(), (node) -> node.checkNode(timeout), within);
		List<BackendStatus.Node> nodes = new ArrayList<>(replies.size());
		for (int i = 0; i < replies.size(); i++) {
			BackendStatus.Node node = replies.get(i).value();
			nodes.add((node != null) ? node : BackendStatus.Node.down(this.nodes.get(i).name(),
					"did not answer within " + TimeUnit.NANOSECONDS.toMillis(within) + "ms"));
		}
		return new BackendStatus(nodes, this.quorum);
	}

	/**
	 * A majority said yes: true. So many said no that no majority can say yes: false. Otherwise too few answered to
	 * tell: the nodes are unreachable.
	 */
	private boolean decide(List<Reply<Boolean>> replies, String operation) {
		long yes = replies.stream().filter((reply) -> Boolean.TRUE.equals(reply.value())).count();
		long no = replies.stream().filter((reply) -> Boolean.FALSE.equals(reply.value())).count();
		if (yes >= this.quorum) {
			return true;
		}
		if (no > this.nodes.size() - this.quorum) {
			return false;
		}
		throw new DataAccessResourceFailureException("Could not " + operation + " on a majority of the Redis nodes: "
				+ yes + " agreed, " + no + " refused, " + (replies.size() - yes - no) + " did not answer in time");
	}

	private boolean valid(long start, long ttlMillis) {
		long ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMillis);
		return ttlNanos - (System.nanoTime() - start) - driftNanos(ttlNanos) > 0;
	}

	private <T> List<Reply<T>> onAll(Function<RedisLeaseStore, T> call) {
		return onNodes(all(), call);
	}

	private List<Integer> all() {
		List<Integer> all = new ArrayList<>();
		for (int i = 0; i < this.nodes.size(); i++) {
			all.add(i);
		}
		return all;
	}

	private <T> List<Reply<T>> onNodes(List<Integer> indexes, Function<RedisLeaseStore, T> call) {
		return onNodes(indexes, call, this.nodeTimeoutNanos);
	}

	/**
	 * Calls the nodes in parallel and waits for each at most until {@code timeoutNanos}, counted from the start.
	 */
	private <T> List<Reply<T>> onNodes(List<Integer> indexes, Function<RedisLeaseStore, T> call, long timeoutNanos) {
		long deadline = System.nanoTime() + timeoutNanos;
		List<Future<T>> pending = new ArrayList<>(indexes.size());
		for (int index : indexes) {
			RedisLeaseStore node = this.nodes.get(index);
			pending.add(CompletableFuture.supplyAsync(() -> call.apply(node), this.calls));
		}
		List<Reply<T>> replies = new ArrayList<>(pending.size());
		for (Future<T> reply : pending) {
			replies.add(new Reply<>(await(reply, deadline)));
		}
		return replies;
	}

	private static <T> T await(Future<T> reply, long deadline) {
		try {
			return reply.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	private static long answered(List<? extends Reply<?>> replies) {
		return replies.stream().filter((reply) -> reply.value() != null).count();
	}

	@Override
	public void close() {
		this.calls.shutdownNow();
	}

	/** One node's answer, {@code null} when it failed or did not answer in time. */
	private record Reply<T>(T value) {
	}

}
