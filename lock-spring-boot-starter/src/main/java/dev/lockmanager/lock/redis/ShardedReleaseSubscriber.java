package dev.lockmanager.lock.redis;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.StringCodec;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Sharded {@code SSUBSCRIBE} on a Redis 7 Cluster, through Lettuce's cluster pub/sub connection (spring-data-redis
 * has no sharded API): Lettuce sends each subscription to the master serving the channel's slot, where
 * {@code release.lua} publishes with {@code SPUBLISH}, so a release is not broadcast to every node of the cluster.
 * <p>
 * A subscription counts only on the master serving its channel's slot. Redis ends sharded subscriptions itself when
 * the slot moves to another master, by a resharding or a failover, and Lettuce does not make them again
 * (lettuce#3213); a crashed master takes its subscriptions with it; and a subscription made again while Lettuce still
 * routed the slot to its former master landed there. Such subscriptions are {@linkplain #isLost(String) lost} and
 * reported to the {@link Listener}: the first kind at once, the others at the next topology change Lettuce sees.
 * Waiters then subscribe again, on the slot's current master.
 */
final class ShardedReleaseSubscriber extends RedisClusterPubSubAdapter<String, String> implements ReleaseSubscriber {

	private static final Log logger = LogFactory.getLog(ShardedReleaseSubscriber.class);

	private final LettuceConnectionFactory connectionFactory;

	private final Listener listener;

	/** Subscriptions made or being made, by channel: those not here are not subscribed. */
	private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();

	/** Replaced when the connection factory was restarted with a new client; only under the notifications' lock. */
	private volatile StatefulRedisClusterPubSubConnection<String, String> connection;

	private AbstractRedisClient client;

	private Disposable topologyChanges;

	ShardedReleaseSubscriber(LettuceConnectionFactory connectionFactory, Listener listener) {
		this.connectionFactory = connectionFactory;
		this.listener = listener;
	}

	@Override
	public CompletableFuture<Void> subscribe(String channel) {
		Subscription current = this.subscriptions.get(channel);
		if (current != null && !isLost(current)) {
			return current.confirmed;
		}
		StatefulRedisClusterPubSubConnection<String, String> pubSub;
		try {
			pubSub = connection();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		int slot = SlotHash.getSlot(channel);
		RedisClusterNode master = pubSub.getPartitions().getMasterBySlot(slot);
		// Sent to a crashed master, the command would wait for the command timeout on a connection that cannot come up
		if (master != null && master.is(NodeFlag.FAIL)) {
			return CompletableFuture.failedFuture(new IllegalStateException(
					"The master serving " + channel + " has failed and its replica is not promoted yet"));
		}
		// Before subscribing: on the same node, the unsubscription would undo the subscription
		RedisURI formerNode = (current != null) ? current.node : null;
		if (formerNode != null && (master == null || !isAt(master, formerNode))) {
			unsubscribeWhereMade(pubSub, channel, current);
		}
		// In the map before the command is sent: Lettuce may report the subscription's node (ssubscribed) on its event
		// loop before this thread runs again, and a subscription whose node is unknown is never found misplaced
		Subscription subscription = new Subscription(slot);
		this.subscriptions.put(channel, subscription);
		CompletableFuture<Void> confirmed = subscription.confirmed;
		confirmed.orTimeout(this.connectionFactory.getTimeout(), TimeUnit.MILLISECONDS).whenComplete((result, ex) -> {
			if (ex != null) {
				this.subscriptions.remove(channel, subscription);
			}
		});
		// Completes our own future: a timeout must not complete Lettuce's command
		pubSub.async().ssubscribe(channel).whenComplete((result, ex) -> {
			if (ex != null) {
				confirmed.completeExceptionally(ex);
			}
			else {
				confirmed.complete(null);
			}
		});
		return confirmed;
	}

	@Override
	public boolean isLost(String channel) {
		Subscription subscription = this.subscriptions.get(channel);
		return subscription == null || isLost(subscription);
	}

	private boolean isLost(Subscription subscription) {
		if (!subscription.confirmed.isDone()) {
			return false;
		}
		if (subscription.confirmed.isCompletedExceptionally()) {
			return true;
		}
		StatefulRedisClusterPubSubConnection<String, String> pubSub = this.connection;
		if (pubSub == null) {
			return true;
		}
		RedisURI on = subscription.node;
		if (on == null) {
			return false; // confirmed, and Lettuce is about to report the node
		}
		RedisClusterNode master = pubSub.getPartitions().getMasterBySlot(subscription.slot);
		return master != null && !isAt(master, on);
	}

	private static boolean isAt(RedisClusterNode node, RedisURI address) {
		return node.getUri().getPort() == address.getPort() && node.getUri().getHost().equals(address.getHost());
	}

	@Override
	public void unsubscribe(String channel) {
		StatefulRedisClusterPubSubConnection<String, String> pubSub = this.connection;
		Subscription subscription = this.subscriptions.remove(channel);
		if (subscription != null && pubSub != null) {
			unsubscribeWhereMade(pubSub, channel, subscription);
		}
	}

	/**
	 * Not awaited: a subscription left behind only delivers messages that no waiter needs. Sent where it was made,
	 * which after a failover may no longer be where Lettuce routes the channel's slot.
	 */
	private static void unsubscribeWhereMade(StatefulRedisClusterPubSubConnection<String, String> pubSub,
			String channel, Subscription subscription) {
		RedisURI on = subscription.node;
		if (on == null) {
			pubSub.async().sunsubscribe(channel);
			return;
		}
		try {
			pubSub.getConnectionAsync(on.getHost(), on.getPort())
				.thenAccept((node) -> node.async().sunsubscribe(channel));
		}
		catch (RuntimeException ex) {
			// A node the cluster forgot: its connection, and the subscription, went with it
		}
	}

	@Override
	public void smessage(RedisClusterNode node, String channel, String message) {
		this.listener.released(channel, message);
	}

	@Override
	public void ssubscribed(RedisClusterNode node, String channel, long count) {
		Subscription subscription = this.subscriptions.get(channel);
		if (subscription != null && node != null) {
			subscription.node = node.getUri();
		}
	}

	/**
	 * Redis unsubscribed the channel: when this side did not, its slot moved. A late unsubscription from another node
	 * (a former master) does not end the subscription made since on the new master. Nodes are compared by address:
	 * Lettuce may report one without its id.
	 */
	@Override
	public void sunsubscribed(RedisClusterNode node, String channel, long count) {
		Subscription subscription = this.subscriptions.get(channel);
		RedisURI on = (subscription != null) ? subscription.node : null;
		if (subscription != null && subscription.confirmed.isDone() && (on == null || node == null || isAt(node, on))
				&& this.subscriptions.remove(channel, subscription)) {
			logger.debug("Redis ended the subscription to " + channel + " (its slot moved); subscribing again");
			this.listener.lost(channel);
		}
	}

	/**
	 * After a topology change: subscriptions on a node that no longer serves their slot as master are lost. Lettuce
	 * publishes the event before it reloads its partitions, so the new topology is read from the event.
	 */
	private void reportSubscriptionsAwayFromTheirMaster(ClusterTopologyChangedEvent event) {
		this.subscriptions.forEach((channel, subscription) -> {
			RedisURI on = subscription.node;
			if (on != null && subscription.confirmed.isDone() && event.after()
				.stream()
				.noneMatch((node) -> node.getRole().isUpstream() && node.hasSlot(subscription.slot) && isAt(node, on))) {
				logger.debug("The subscription to " + channel + " is not on its slot's master; subscribing again");
				this.listener.lost(channel);
			}
		});
	}

	@Override
	public void close() {
		StatefulRedisClusterPubSubConnection<String, String> pubSub = this.connection;
		this.connection = null;
		this.client = null;
		this.subscriptions.clear();
		if (this.topologyChanges != null) {
			this.topologyChanges.dispose();
			this.topologyChanges = null;
		}
		if (pubSub != null) {
			try {
				pubSub.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not close the sharded release subscriber", ex);
			}
		}
	}

	/**
	 * The cluster pub/sub connection of the factory's current client: a factory that was stopped and started again
	 * has a new client, and the old one closed its connections.
	 */
	private StatefulRedisClusterPubSubConnection<String, String> connection() {
		AbstractRedisClient current = this.connectionFactory.getRequiredNativeClient();
		if (this.connection == null || this.client != current) {
			close();
			StatefulRedisClusterPubSubConnection<String, String> pubSub = ((RedisClusterClient) current)
				.connectPubSub(StringCodec.UTF8);
			pubSub.addListener(this);
			this.client = current;
			this.connection = pubSub;
			// Events of every client sharing the resources: checking the subscriptions costs no I/O
			this.topologyChanges = current.getResources()
				.eventBus()
				.get()
				.filter(ClusterTopologyChangedEvent.class::isInstance)
				.cast(ClusterTopologyChangedEvent.class)
				.subscribe(this::reportSubscriptionsAwayFromTheirMaster);
		}
		return this.connection;
	}

	/** One channel's subscription: confirmed by the reply to SSUBSCRIBE, made on the node Lettuce reports. */
	private static final class Subscription {

		private final CompletableFuture<Void> confirmed = new CompletableFuture<>();

		private final int slot;

		/** Set when Lettuce reports the subscription, which may come just after the reply completed the future. */
		private volatile RedisURI node;

		private Subscription(int slot) {
			this.slot = slot;
		}

	}

}
