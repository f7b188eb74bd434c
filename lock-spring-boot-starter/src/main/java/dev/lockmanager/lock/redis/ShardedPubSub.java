package dev.lockmanager.lock.redis;

import java.util.Properties;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Decides, once per manager, whether release notifications use sharded pub/sub ({@code SPUBLISH}/{@code SSUBSCRIBE}):
 * only on a Redis Cluster whose every master runs Redis 7.0 or newer. Everything else (standalone, Sentinel, quorum
 * nodes, a Cluster with a Redis 6.2 master) uses classic {@code PUBLISH}/{@code SUBSCRIBE}, which a Cluster broadcasts
 * to every node. A Redis user without the permissions to read the topology and the versions stops the manager.
 */
final class ShardedPubSub {

	private static final Log logger = LogFactory.getLog(ShardedPubSub.class);

	private static final int FIRST_VERSION = 7;

	private ShardedPubSub() {
	}

	/**
	 * Asks each master serving slots for its version; when one cannot be asked, answers no (classic pub/sub works
	 * everywhere).
	 * @param connectionFactory the manager's connection factory
	 * @return whether releases publish with {@code SPUBLISH} and waiters subscribe with {@code SSUBSCRIBE}
	 */
	static boolean isAvailable(RedisConnectionFactory connectionFactory) {
		if (!(connectionFactory instanceof LettuceConnectionFactory lettuce) || !lettuce.isClusterAware()) {
			return false;
		}
		try (RedisClusterConnection cluster = lettuce.getClusterConnection()) {
			for (RedisClusterNode node : cluster.clusterGetNodes()) {
				if (node.isMaster() && !node.getSlotRange().getSlots().isEmpty()) {
					Properties server = cluster.serverCommands().info(node, "server");
					String version = (server != null) ? server.getProperty("redis_version", "") : "";
					if (majorVersion(version) < FIRST_VERSION) {
						logger.info("Release notifications use classic pub/sub: Cluster master " + node.getHost() + ":"
								+ node.getPort() + " runs Redis " + version + " and sharded pub/sub needs 7.0");
						return false;
					}
				}
			}
		}
		catch (RuntimeException ex) {
			String denial = PermissionCheck.denial(ex);
			if (denial != null) {
				throw PermissionCheck.refused("the Redis Cluster", denial);
			}
			logger.warn("Release notifications use classic pub/sub: could not read the Redis version of every "
					+ "Cluster master (" + RedisLease.cause(ex) + ")");
			return false;
		}
		logger.info("Release notifications use sharded pub/sub (SPUBLISH/SSUBSCRIBE) on the Redis Cluster");
		return true;
	}

	private static int majorVersion(String version) {
		int dot = version.indexOf('.');
		try {
			return Integer.parseInt((dot > 0) ? version.substring(0, dot) : version);
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
