package dev.lockmanager.lock.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.Subscription;

/**
 * Wakes local waiters when a lease they wait for is released. One subscriber connection serves the whole
 * application; it is subscribed to the release channel of each key that has local waiters, and unsubscribed when the
 * last waiter of a key leaves.
 * <p>
 * Subscribing is synchronous (the command returns once Redis confirmed it), so a waiter that registers and then
 * tries to acquire cannot miss a release that happens after its attempt. When Redis cannot be reached, waiters
 * register without a subscription and rely on their backoff.
 */
final class ReleaseNotifications implements MessageListener, AutoCloseable {

	private static final Log logger = LogFactory.getLog(ReleaseNotifications.class);

	private static final Duration RETRY_SUBSCRIPTION_AFTER = Duration.ofSeconds(1);

	private final RedisConnectionFactory connectionFactory;

	/** Local waiters per release channel, oldest first. */
	private final Map<String, Queue<Waiter>> waitersByChannel = new ConcurrentHashMap<>();

	/** Guards the subscriber connection and orders subscribe/unsubscribe with the waiter sets (not synchronized: I/O). */
	private final ReentrantLock subscriptionLock = new ReentrantLock();

	private RedisConnection subscriber;

	/**
	 * After a failed (un)subscribe, waiters skip the I/O until then (monotonic clock), so that an unreachable Redis
	 * does not make every waiter wait for it in turn under the lock.
	 */
	private long retrySubscriptionAt = System.nanoTime();

	ReleaseNotifications(RedisConnectionFactory connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	/**
	 * Registers a waiter for the release channel of a key; close the waiter when done waiting.
	 */
	Waiter register(String channel) {
		Waiter waiter = new Waiter(channel);
		this.subscriptionLock.lock();
		try {
			Queue<Waiter> waiters = this.waitersByChannel.computeIfAbsent(channel,
					(key) -> new ConcurrentLinkedQueue<>());
			waiters.add(waiter);
			if (waiters.size() == 1) {
				subscribe(channel);
			}
		}
		finally {
			this.subscriptionLock.unlock();
		}
		return waiter;
	}

	private void subscribe(String channel) {
		if (System.nanoTime() - this.retrySubscriptionAt < 0) {
			return;
		}
		byte[] name = channel.getBytes(StandardCharsets.UTF_8);
		try {
			Subscription subscription = (this.subscriber != null) ? this.subscriber.getSubscription() : null;
			if (subscription != null && subscription.isAlive()) {
				subscription.subscribe(name);
			}
			else {
				closeSubscriber();
				this.subscriber = this.connectionFactory.getConnection();
				this.subscriber.subscribe(this, name);
			}
		}
		catch (RuntimeException ex) {
			this.retrySubscriptionAt = System.nanoTime() + RETRY_SUBSCRIPTION_AFTER.toNanos();
			logger.debug("Could not subscribe to " + channel + "; waiters fall back to polling", ex);
		}
	}

	private void unregister(Waiter waiter) {
		this.subscriptionLock.lock();
		try {
			Queue<Waiter> waiters = this.waitersByChannel.get(waiter.channel);
			waiters.remove(waiter);
			Waiter next = waiters.peek();
			if (next != null && waiter.wakeUps.availablePermits() > 0) {
				next.wake(); // it was woken but leaves without using the release: pass it on
			}
			if (waiters.isEmpty()) {
				this.waitersByChannel.remove(waiter.channel);
				unsubscribe(waiter.channel);
			}
		}
		finally {
			this.subscriptionLock.unlock();
		}
	}

	private void unsubscribe(String channel) {
		Subscription subscription = (this.subscriber != null) ? this.subscriber.getSubscription() : null;
		if (subscription == null || !subscription.isAlive() || System.nanoTime() - this.retrySubscriptionAt < 0) {
			return;
		}
		try {
			subscription.unsubscribe(channel.getBytes(StandardCharsets.UTF_8));
		}
		catch (RuntimeException ex) {
			this.retrySubscriptionAt = System.nanoTime() + RETRY_SUBSCRIPTION_AFTER.toNanos();
			logger.debug("Could not unsubscribe from " + channel, ex);
		}
	}

	/**
	 * Wakes the oldest local waiter of the released key: one release frees one lease, so waking every waiter would
	 * only send them all to Redis at once. A woken waiter that loses to another instance waits for the next release.
	 */
	@Override
	public void onMessage(Message message, byte[] pattern) {
		Queue<Waiter> waiters = this.waitersByChannel.get(new String(message.getChannel(), StandardCharsets.UTF_8));
		Waiter oldest = (waiters != null) ? waiters.peek() : null;
		if (oldest != null) {
			oldest.wake();
		}
	}

	@Override
	public void close() {
		this.subscriptionLock.lock();
		try {
			closeSubscriber();
		}
		finally {
			this.subscriptionLock.unlock();
		}
	}

	private void closeSubscriber() {
		if (this.subscriber != null) {
			try {
				this.subscriber.close();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not close the release subscriber", ex);
			}
			this.subscriber = null;
		}
	}

	/**
	 * One waiting caller: sleeps until woken by a release of its key or until its timeout.
	 */
	final class Waiter implements AutoCloseable {

		private final String channel;

		private final Semaphore wakeUps = new Semaphore(0);

		private Waiter(String channel) {
			this.channel = channel;
		}

		/**
		 * Waits up to {@code nanos} for a release; a release since the last await returns at once.
		 */
		void await(long nanos) throws InterruptedException {
			if (this.wakeUps.tryAcquire(nanos, TimeUnit.NANOSECONDS)) {
				this.wakeUps.drainPermits();
			}
		}

		private void wake() {
			this.wakeUps.release();
		}

		@Override
		public void close() {
			unregister(this);
		}

	}

}
