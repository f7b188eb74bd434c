package dev.lockmanager.lock.redis;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Release notifications in quorum mode: a release publishes on every node that deleted the lease, which is a majority
 * of the nodes while the lease was held, so a waiter subscribed on a majority hears it whichever node is down. One
 * classic subscriber connection per node; a subscription counts once a majority confirmed it. A node whose
 * subscription failed is skipped for a second, so that a stalled node does not delay every waiter by its timeout.
 */
final class QuorumReleaseSubscriber implements ReleaseSubscriber {

	private static final long RETRY_NODE_AFTER_NANOS = 1_000_000_000L;

	private final List<ClassicReleaseSubscriber> nodes;

	/** Per node, when it may be tried again after a failure (monotonic clock); only under the notifications' lock. */
	private final long[] retryAt;

	private final int quorum;

	QuorumReleaseSubscriber(List<RedisConnectionFactory> nodes, Listener listener, String keyPrefix) {
		this.nodes = nodes.stream().map((node) -> new ClassicReleaseSubscriber(node, listener, keyPrefix)).toList();
		this.retryAt = new long[nodes.size()];
		this.quorum = nodes.size() / 2 + 1;
	}

	@Override
	public CompletableFuture<Void> subscribe(String channel) {
		int subscribed = 0;
		Throwable failure = null;
		for (int i = 0; i < this.nodes.size(); i++) {
			if (System.nanoTime() - this.retryAt[i] < 0) {
				continue;
			}
			CompletableFuture<Void> node = this.nodes.get(i).subscribe(channel);
			if (node.isCompletedExceptionally()) {
				this.retryAt[i] = System.nanoTime() + RETRY_NODE_AFTER_NANOS;
				failure = node.handle((ignored, ex) -> ex).join();
			}
			else {
				subscribed++;
			}
		}
		return (subscribed >= this.quorum) ? CompletableFuture.completedFuture(null)
				: CompletableFuture.failedFuture(new DataAccessResourceFailureException("Subscribed to " + channel
						+ " on " + subscribed + " of " + this.nodes.size() + " nodes; a majority is needed", failure));
	}

	@Override
	public boolean isLost(String channel) {
		return false;
	}

	@Override
	public void unsubscribe(String channel) {
		for (ClassicReleaseSubscriber node : this.nodes) {
			try {
				node.unsubscribe(channel);
			}
			catch (RuntimeException ex) {
				// the node is unreachable: its subscription ends with its connection
			}
		}
	}

	@Override
	public void close() {
		this.nodes.forEach(ClassicReleaseSubscriber::close);
	}

}
