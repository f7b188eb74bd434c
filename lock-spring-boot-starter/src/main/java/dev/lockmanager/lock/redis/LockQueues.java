package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.util.backoff.BackOffExecution;

import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;
import dev.lockmanager.lock.TooManyWaitersException;

/**
 * How a manager's callers wait for a key and pass it on. Callers of one key queue locally ({@link KeyQueue}): one of
 * them, the contender, tries in Redis and sleeps until a release notification or its backoff; the others park. A
 * holder that releases while callers are parked hands the lease to the oldest in one round trip ({@code acquire.lua}
 * with the holder's token: new owner token, next fencing token, new ttl), up to the fairness bound, after which the
 * lease goes back to Redis, promised to the process first in the key's line there (a refused contender keeps its
 * process's place in it for as long as it may wait, and leaves it when no caller of this process waits any more). In
 * quorum mode, and for callers that need replica acknowledgement, a release and a new attempt by the next caller take
 * the handoff's place.
 */
final class LockQueues {

	private static final Log logger = LogFactory.getLog(LockQueues.class);

	/** How often a parked caller looks whether its queue still has a holder or contender to wait for. */
	private static final long CHECK_QUEUE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * The least time a waiting caller gives Redis to answer, however close its deadline: less would report a healthy
	 * Redis unreachable. A wait ends at its wait time, or this much later when Redis does not answer.
	 */
	private static final long LEAST_ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final Map<String, KeyQueue> queues = new ConcurrentHashMap<>();

	private final RedisLockManager manager;

	private final ManagerSettings settings;

	private final LeaseStore store;

	private final ReleaseNotifications notifications;

	private final OrphanCleanup cleanup;

	private final Semaphore waiterPermits;

	LockQueues(RedisLockManager manager, ManagerSettings settings, LeaseStore store,
			ReleaseNotifications notifications, OrphanCleanup cleanup) {
		this.manager = manager;
		this.settings = settings;
		this.store = store;
		this.notifications = notifications;
		this.cleanup = cleanup;
		this.waiterPermits = new Semaphore(settings.maxWaiters());
	}

	/**
	 * Acquires a lease, waiting up to the request's wait time.
	 * @param local whether the lease is this process's own, rather than a remote client's
	 */
	RedisLease acquire(LockRequest request, LockKeys keys, boolean local) {
		long deadline = System.nanoTime() + request.waitTime().toNanos();
		if (request.waitTime().isZero()) {
			Outcome outcome = attempt(request, keys, local, 0);
			if (outcome.lease() == null) {
				throw Refusals.notAcquired(request, outcome);
			}
			return outcome.lease();
		}
		QueuedCaller caller = new QueuedCaller(request, local, deadline);
		KeyQueue queue;
		KeyQueue.Role role;
		do {
			queue = queue(keys);
			role = queue.join(caller);
		}
		while (role == KeyQueue.Role.RETIRED);
		if (role == KeyQueue.Role.CONTEND) {
			Outcome first;
			try {
				first = attempt(request, keys, local, request.waitTime().toMillis(), until(deadline));
			}
			catch (RuntimeException ex) {
				queue.contenderLeft();
				throw ex;
			}
			if (first.lease() != null) {
				queue.won(local);
				return first.lease();
			}
		}
		if (!this.waiterPermits.tryAcquire()) {
			TooManyWaitersException tooMany = Refusals.tooManyWaiters(request, this.settings.maxWaiters());
			if (role == KeyQueue.Role.CONTEND) {
				contenderLeft(queue, keys);
				throw tooMany;
			}
			throw giveUp(queue, caller, keys, tooMany);
		}
		try {
			return (role == KeyQueue.Role.CONTEND) ? contend(queue, request, keys, deadline, local)
					: park(queue, caller, keys);
		}
		finally {
			this.waiterPermits.release();
		}
	}

	private KeyQueue queue(LockKeys keys) {
		return this.queues.computeIfAbsent(keys.lease(), (lease) -> new KeyQueue(this.queues, lease));
	}

	/**
	 * Waits in the queue until handed the lease or sent to contend for it; gives up at the deadline or when
	 * interrupted, unless a releaser already chose this caller (then it waits the one round trip for the outcome).
	 */
	private RedisLease park(KeyQueue queue, QueuedCaller caller, LockKeys keys) {
		LockRequest request = caller.request();
		while (true) {
			switch (caller.state()) {
				case GRANTED:
					return caller.lease();
				case CONTENDING:
					return contend(queue, request, keys, caller.deadlineNanos(), caller.local());
				case RESERVED:
					caller.awaitReservationEnd();
					break;
				case ABANDONED:
					throw Refusals.timedOut(request);
				case PARKED:
					long left = caller.deadlineNanos() - System.nanoTime();
					if (left <= 0) {
						if (caller.abandon()) {
							queue.abandoned(caller);
							throw Refusals.timedOut(request);
						}
						break;
					}
					// Wake when the holder's lease would run out: an expiry is announced to no one
					long holder = queue.holderRemainingNanos();
					long pause = Math.min(left, Math.min(CHECK_QUEUE_EVERY_NANOS,
							(holder == Long.MAX_VALUE) ? holder : holder + TimeUnit.MILLISECONDS.toNanos(1)));
					try {
						caller.await(pause);
					}
					catch (InterruptedException ex) {
						LockNotAcquiredException interrupted = giveUp(queue, caller, keys, Refusals.interrupted(request));
						Thread.currentThread().interrupt();
						throw interrupted;
					}
					if (caller.state() == QueuedCaller.State.PARKED) {
						queue.promoteIfHolderGone(caller);
					}
					break;
			}
		}
	}

	/**
	 * A caller that gives up before its wait is over leaves the queue; if a releaser chose it first, what it was
	 * given is passed on (a lease is released, which hands it to the next caller; the contender's place goes to the
	 * next caller).
	 * @return the exception to throw
	 */
	private LockNotAcquiredException giveUp(KeyQueue queue, QueuedCaller caller, LockKeys keys,
			LockNotAcquiredException reason) {
		if (caller.abandon()) {
			queue.abandoned(caller);
			return reason;
		}
		caller.awaitReservationEnd();
		if (caller.state() == QueuedCaller.State.GRANTED) {
			// Passed on with the interrupt status cleared: Lettuce abandons a command sent by an interrupted thread
			boolean interrupted = Thread.interrupted();
			try {
				caller.lease().release();
			}
			catch (RuntimeException ex) {
				logger.debug("Could not pass on the lease on key '" + caller.request().key() + "'", ex);
			}
			finally {
				if (interrupted) {
					Thread.currentThread().interrupt();
				}
			}
		}
		else if (caller.state() == QueuedCaller.State.CONTENDING) {
			contenderLeft(queue, keys);
		}
		return reason;
	}

	/**
	 * The contender gave up: the next parked caller takes its place, or, with none left, this process leaves the
	 * key's line in Redis (with the interrupt status cleared, which Lettuce would abandon the command for).
	 */
	private void contenderLeft(KeyQueue queue, LockKeys keys) {
		if (queue.contenderLeft()) {
			return;
		}
		boolean interrupted = Thread.interrupted();
		try {
			this.store.leaveLine(keys, Duration.ofNanos(LEAST_ANSWER_NANOS));
		}
		catch (DataAccessException ex) {
			logger.debug("Could not leave the line for '" + keys.lease() + "': the place expires by itself", ex);
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * As the key's contender: tries in Redis, sleeping between attempts until a release notification, the backoff
	 * or the holder's expiry; leaves the contender's place to the next caller when it gives up.
	 */
	private RedisLease contend(KeyQueue queue, LockRequest request, LockKeys keys, long deadline, boolean local) {
		boolean won = false;
		try (ReleaseNotifications.Waiter waiter = this.notifications.register(keys.channel())) {
			RedisLease lease = await(request, keys, deadline, waiter, local);
			queue.won(local);
			won = true;
			return lease;
		}
		finally {
			if (!won) {
				contenderLeft(queue, keys);
			}
		}
	}

	private RedisLease await(LockRequest request, LockKeys keys, long deadline, ReleaseNotifications.Waiter waiter,
			boolean local) {
		BackOffExecution backOff = this.settings.backOff().start();
		while (true) {
			long lineMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
			Outcome outcome = attempt(request, keys, local, Math.max(lineMillis, 0), until(deadline));
			if (outcome.lease() != null) {
				return outcome.lease();
			}
			long left = deadline - System.nanoTime();
			// A refused permission stays refused: waiting would only hide it
			if (left <= 0 || (outcome.failure() != null && PermissionCheck.denial(outcome.failure()) != null)) {
				throw Refusals.notAcquired(request, outcome);
			}
			long pause = Math.min(TimeUnit.MILLISECONDS.toNanos(backOff.nextBackOff()), left);
			if (outcome.holderRemainingMillis() >= 0) {
				// Wake no later than the holder's lease expires: an expiry publishes nothing.
				pause = Math.min(pause, TimeUnit.MILLISECONDS.toNanos(outcome.holderRemainingMillis() + 1));
			}
			try {
				waiter.await(pause);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw Refusals.interrupted(request);
			}
		}
	}

	/**
	 * One acquisition attempt under a fresh owner token. A failed attempt may still have been applied by Redis (a
	 * timeout is an unknown outcome), so its token is released in the background.
	 * @param lineMillis when refused, how long this process keeps its place in the key's line (0: it does not wait)
	 */
	Outcome attempt(LockRequest request, LockKeys keys, boolean local, long lineMillis) {
		return attempt(request, keys, local, lineMillis, null);
	}

	/**
	 * @param timeout how long to wait for Redis' answer at most, or {@code null} for the command timeout
	 */
	private Outcome attempt(LockRequest request, LockKeys keys, boolean local, long lineMillis, Duration timeout) {
		String owner = OwnerTokens.next();
		long sentAt = System.nanoTime();
		LeaseStore.Attempt attempt;
		try {
			attempt = (timeout != null)
					? this.store.acquire(keys, owner, request.ttl().toMillis(), replicas(request), lineMillis, timeout)
					: this.store.acquire(keys, owner, request.ttl().toMillis(), replicas(request), lineMillis);
		}
		catch (DataAccessException ex) {
			this.cleanup.release(keys, owner, sentAt + request.ttl().toNanos());
			this.notifications.unreachable();
			return new Outcome(null, -1, ex);
		}
		if (!attempt.acquired()) {
			return new Outcome(null, attempt.holderRemainingMillis(), null);
		}
		RedisLease lease = this.manager.grant(request, keys, owner, attempt.fencingToken(), sentAt, local);
		KeyQueue queue = local ? this.queues.get(keys.lease()) : null;
		if (queue != null) {
			// Callers of this manager wait for the key (or this is one of them): its release hands it over. Without
			// a queue (tryAcquire with no one waiting here) nothing is allocated; a caller that queues later is
			// woken by the release through Redis, and handoffs start with the next holder.
			queue.took(lease);
		}
		return new Outcome(lease, 0, null);
	}

	/**
	 * Releases a lease of this manager, handing it to the oldest parked caller of its key when there is one (within
	 * the fairness bound).
	 * @return whether the lease was still held, and so was deleted or handed over
	 * @throws DataAccessException when Redis could not be reached
	 */
	boolean release(RedisLease lease) {
		KeyQueue queue = this.queues.get(lease.keys().lease());
		KeyQueue.Handover handover = (queue != null) ? queue.releasing(lease, this.settings.maxHandoffs(),
				this.settings.handoffSlice().toNanos(), this::handsOverTo) : KeyQueue.Handover.RELEASE;
		switch (handover.step()) {
			case HAND_OVER:
				return handOver(queue, lease, handover.next());
			case YIELD:
				try {
					return this.store.release(lease.keys(), lease.owner());
				}
				finally {
					queue.yielded(handover.next());
				}
			default:
				return this.store.release(lease.keys(), lease.owner());
		}
	}

	private boolean handsOverTo(QueuedCaller next) {
		return this.store.handsOver() && replicas(next.request()) == 0;
	}

	private boolean handOver(KeyQueue queue, RedisLease lease, QueuedCaller next) {
		LockRequest request = next.request();
		String owner = OwnerTokens.next();
		long sentAt = System.nanoTime();
		LeaseStore.Attempt attempt;
		try {
			attempt = this.store.handOver(lease.keys(), lease.owner(), owner, request.ttl().toMillis());
		}
		catch (DataAccessException ex) {
			// The new owner's lease may have been set: release it too when Redis answers again
			this.cleanup.release(lease.keys(), owner, sentAt + request.ttl().toNanos());
			queue.handOverFailed(next);
			throw ex;
		}
		if (!attempt.acquired()) {
			queue.handOverFailed(next);
			return false;
		}
		queue.handedOver(next, this.manager.grant(request, lease.keys(), owner, attempt.fencingToken(), sentAt,
				next.local()));
		return true;
	}

	/** A lease of this manager was lost: callers parked behind it stop waiting for its release. */
	void lost(RedisLease lease) {
		KeyQueue queue = this.queues.get(lease.keys().lease());
		if (queue != null) {
			queue.lost(lease);
		}
	}

	/**
	 * How long an attempt may wait for Redis: until the caller's deadline, so that the attempt in flight then does not
	 * hold the caller past it (its outcome is unknown and cleaned up like any failed attempt's), but at least
	 * {@link #LEAST_ANSWER_NANOS}.
	 */
	private static Duration until(long deadline) {
		return Duration.ofNanos(Math.max(deadline - System.nanoTime(), LEAST_ANSWER_NANOS));
	}

	private int replicas(LockRequest request) {
		return (request.replicas() != LockRequest.REPLICAS_AS_CONFIGURED) ? request.replicas()
				: this.settings.replicas();
	}

	/**
	 * The outcome of one attempt: the lease, or the holder's remaining ttl (negative when unknown), or the failure
	 * to reach Redis.
	 */
	record Outcome(RedisLease lease, long holderRemainingMillis, DataAccessException failure) {
	}

}
