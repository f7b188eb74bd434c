package dev.lockmanager.lock.redis;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.Subscription;

/**
 * Classic {@code SUBSCRIBE} through one spring-data-redis connection: standalone, Sentinel, quorum nodes, and Clusters
 * where some master runs Redis 6.2 (a Cluster forwards classic messages to every node). Subscribing is synchronous:
 * the command returns once Redis confirmed it. Lettuce subscribes the channels again when it reconnects, so a
 * subscription is never reported lost; one that could not be made is tried again by the next waiter of its key.
 */
final class ClassicReleaseSubscriber implements ReleaseSubscriber, MessageListener {

	private static final Log logger = LogFactory.getLog(ClassicReleaseSubscriber.class);

	private final RedisConnectionFactory connectionFactory;

	private final Listener listener;

	/** The channels subscribed on the current connection. */
	private final Set<String> channels = ConcurrentHashMap.newKeySet();

	/**
	 * A channel of this subscriber's own, never published to, that keeps the subscription alive between waits:
	 * spring-data-redis closes a subscription, and its connection, once its last channel is unsubscribed, and a hot
	 * key's waiters come and go with every turn it takes between instances.
	 */
	private final byte[] keepAlive;

	/** Replaced when its subscription has ended; only under the notifications' lock. */
	private RedisConnection connection;

	/**
	 * @param keyPrefix the manager's key prefix, which its channel of its own starts with (no brace, so no lock's
	 * channel has its name)
	 */
	ClassicReleaseSubscriber(RedisConnectionFactory connectionFactory, Listener listener, String keyPrefix) {
		this.connectionFactory = connectionFactory;
		this.listener = listener;
		this.keepAlive = (keyPrefix + "subscriber:" + OwnerTokens.next()).getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public CompletableFuture<Void> subscribe(String channel) {
		byte[] name = channel.getBytes(StandardCharsets.UTF_8);
		try {
			Subscription subscription = (this.connection != null) ? this.connection.getSubscription() : null;
			if (subscription != null && subscription.isAlive()) {
				if (!this.channels.contains(channel)) {
					subscription.subscribe(name);
				}
			}
			else {
				close();
				this.connection = this.connectionFactory.getConnection();
				this.connection.subscribe(this, this.keepAlive, name);
			}
			this.channels.add(channel);
			return CompletableFuture.completedFuture(null);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	@Override
	public boolean isLost(String channel) {
		return false;
	}

	@Override
	public void unsubscribe(String channel) {
		this.channels.remove(channel);
		Subscription subscription = (this.connection != null) ? this.connection.getSubscription() : null;
		if (subscription != null && subscription.isAlive()) {
			subscription.unsubscribe(channel.getBytes(StandardCharsets.UTF_8));
		}
	}

	@Override
	public void onMessage(Message message, byte[] pattern) {
		this.listener.released(new String(message.getChannel(), StandardCharsets.UTF_8),
				new String(message.getBody(), StandardCharsets.UTF_8));
	}

	@Override
	public void close() {
		this.channels.clear();
		if (this.connection != null) {
			try {
				this.connection.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not close the release subscriber", ex);
			}
			this.connection = null;
		}
	}

}
