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
	 * second in any case. Spring Boot configures the same with {@code spring.data.redis.lettuce.cluster.refresh.adaptive=true}
	 * (all adaptive triggers) and {@code spring.data.redis.lettuce.cluster.refresh.period=1s}. Both are needed after a
	 * crash: the adaptive triggers fire on persistent reconnect attempts to the dead master, the periodic refresh
	 * catches the promotion even when no command happens to be redirected. Without either, Lettuce keeps sending a
	 * crashed master's keys to its address.
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
