package dev.lockmanager.lock.redis.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.lockmanager.lock.testing.RedisCluster;
import dev.lockmanager.lock.testing.RedisServer;

/**
 * Cluster connection factories as a Spring Boot application would configure them, and lock keys placed on chosen
 * masters.
 */
final class ClusterConnections {

	private ClusterConnections() {
	}

	/**
	 * A started factory that follows topology changes: on MOVED/ASK redirections and reconnects at once, and every
	 * second in any case. Spring Boot configures the same with
	 * {@code spring.data.redis.lettuce.cluster.refresh.adaptive=true} (all adaptive triggers) and
	 * {@code spring.data.redis.lettuce.cluster.refresh.period=1s}. Both are needed after a crash: the adaptive triggers
	 * fire on the reconnect attempts to the dead master, before its replica is promoted, and are then held back for 30
	 * seconds; the periodic refresh catches the promotion. Without either, Lettuce keeps sending a crashed master's keys
	 * to its address.
	 */
	static LettuceConnectionFactory connectionFactory(RedisCluster cluster) {
		ClusterClientOptions options = ClusterClientOptions.builder()
			.topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
				.enableAllAdaptiveRefreshTriggers()
				.enablePeriodicRefresh(Duration.ofSeconds(1))
				.build())
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(cluster.seeds()),
				LettuceClientConfiguration.builder()
					.commandTimeout(Duration.ofSeconds(2))
					.clientOptions(options)
					.build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * A started factory whose view of the cluster changes only when {@code refreshPartitions()} is called on its
	 * client: no adaptive or periodic topology refresh (Lettuce's default, and Spring Boot's).
	 */
	static LettuceConnectionFactory connectionFactoryWithoutTopologyRefresh(RedisCluster cluster) {
		LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisClusterConfiguration(cluster.seeds()),
				LettuceClientConfiguration.builder().commandTimeout(Duration.ofSeconds(2)).build());
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	/**
	 * Whether every master runs Redis 7 or newer, so that lock managers use sharded pub/sub on this cluster.
	 */
	static boolean shardedPubSub(RedisCluster cluster) {
		return cluster.masters()
			.stream()
			.allMatch((master) -> ((String) master.execute("INFO", "server")).lines()
				.anyMatch((line) -> line.matches("redis_version:([7-9]|\\d{2,})\\..*")));
	}

	/**
	 * Subscriptions to a channel on every running node: classic ones ({@code PUBSUB NUMSUB}) and, on Redis 7, sharded ones
	 * ({@code PUBSUB SHARDNUMSUB}).
	 */
	static long subscribers(RedisCluster cluster, String channel) {
		boolean sharded = shardedPubSub(cluster);
		return cluster.nodes()
			.stream()
			.filter(RedisServer::isRunning)
			.mapToLong((node) -> count(node, "NUMSUB", channel) + (sharded ? count(node, "SHARDNUMSUB", channel) : 0))
			.sum();
	}

	/** {@code PUBSUB NUMSUB} or {@code SHARDNUMSUB} of one channel on one node. */
	static long count(RedisServer node, String subcommand, String channel) {
		return (Long) ((List<?>) node.execute("PUBSUB", subcommand, channel)).get(1);
	}

	/**
	 * Whether the factory's client, as its last topology refresh left it, sends commands for {@code slot} to
	 * {@code master}.
	 */
	static boolean routesTo(LettuceConnectionFactory factory, int slot, RedisServer master) {
		try (RedisClusterConnection connection = factory.getClusterConnection()) {
			return connection.clusterGetNodeForSlot(slot).getPort() == master.port();
		}
	}

	/** The lease key of a lock under the default name, for keys that need no percent-encoding. */
	static String leaseKey(String key) {
		return "lock:{default:" + key + "}";
	}

	/**
	 * Returns {@code perMaster} lock keys (starting with {@code prefix}) for every current master, whose leases that
	 * master serves.
	 */
	static Map<RedisServer, List<String>> keysByMaster(RedisCluster cluster, String prefix, int perMaster) {
		Map<RedisServer, List<String>> keys = new LinkedHashMap<>();
		cluster.masters().forEach((master) -> keys.put(master, new ArrayList<>()));
		Predicate<Map<RedisServer, List<String>>> complete = (found) -> found.values()
			.stream()
			.allMatch((list) -> list.size() == perMaster);
		for (int i = 0; !complete.test(keys); i++) {
			String key = prefix + i;
			List<String> ofMaster = keys.get(cluster.masterFor(leaseKey(key)));
			if (ofMaster.size() < perMaster) {
				ofMaster.add(key);
			}
		}
		return keys;
	}

}
