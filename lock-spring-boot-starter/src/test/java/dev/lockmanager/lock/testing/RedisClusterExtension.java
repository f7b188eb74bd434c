package dev.lockmanager.lock.testing;

import java.time.Duration;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * JUnit 5 extension giving test classes one {@link RedisCluster} (3 masters, 3 replicas) shared by the whole test run,
 * since forming a cluster takes seconds.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisClusterExtension redis = new RedisClusterExtension();
 *
 * @Test
 * void test() {
 *     connectTo(redis.cluster().seeds());
 * }
 * }</pre>
 *
 * <p>The cluster starts before the first class that uses it and stops when the test run ends. Before each class it
 * brings back nodes an earlier class left killed, stopped or paused, and waits until the cluster is healthy again; but
 * roles and slots stay as earlier failovers and migrations left them: ask {@link RedisCluster#masterFor(String)} rather
 * than assuming a layout. Data is kept: use unique keys.
 */
public final class RedisClusterExtension implements BeforeAllCallback {

	private static final Namespace NAMESPACE = Namespace.create(RedisClusterExtension.class);

	private volatile RedisCluster cluster;

	@Override
	public void beforeAll(ExtensionContext context) {
		// The root store outlives every class and closes the cluster, an AutoCloseable, at the end of the run
		RedisCluster shared = context.getRoot()
			.getStore(NAMESPACE)
			.computeIfAbsent(RedisCluster.class, (key) -> startCluster(), RedisCluster.class);
		shared.nodes().forEach(RedisServer::revive);
		shared.awaitHealthy(Duration.ofSeconds(30));
		this.cluster = shared;
	}

	/**
	 * Returns the shared cluster.
	 * @return the cluster
	 */
	public RedisCluster cluster() {
		RedisCluster current = this.cluster;
		if (current == null) {
			throw new IllegalStateException("The Redis Cluster is only available from beforeAll on");
		}
		return current;
	}

	private static RedisCluster startCluster() {
		RedisCluster cluster = new RedisCluster();
		cluster.start();
		return cluster;
	}

}
