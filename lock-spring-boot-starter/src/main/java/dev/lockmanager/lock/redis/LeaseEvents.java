package dev.lockmanager.lock.redis;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.lockmanager.lock.Lease;
import dev.lockmanager.lock.LeaseListener;
import dev.lockmanager.lock.LockBackendUnavailableException;
import dev.lockmanager.lock.LockNotAcquiredException;
import dev.lockmanager.lock.LockRequest;

/**
 * Reports lease events to the {@link LeaseListener}s of one manager, each call isolated from the others, and wraps
 * acquisitions in a {@code lock.acquire} {@link Observation} (tagged with the lock name and the outcome, never the
 * key) so that traces show lock waits.
 */
final class LeaseEvents {

	static final String ACQUIRE_OBSERVATION = "lock.acquire";

	private static final Log logger = LogFactory.getLog(LeaseEvents.class);

	private final List<LeaseListener> listeners;

	private final ObservationRegistry observations;

	LeaseEvents(List<LeaseListener> listeners, ObservationRegistry observations) {
		this.listeners = List.copyOf(listeners);
		this.observations = observations;
	}

	/**
	 * Starts the observation of one acquisition; pass it to {@link #acquired} or {@link #notAcquired}.
	 */
	Observation startAcquire(LockRequest request) {
		if (this.observations.isNoop()) {
			return Observation.NOOP;
		}
		return Observation.createNotStarted(ACQUIRE_OBSERVATION, this.observations)
			.contextualName("lock acquire " + request.name())
			.lowCardinalityKeyValue("lock.name", request.name())
			.start();
	}

	void acquired(Observation observation, Lease lease, long startNanos) {
		observation.lowCardinalityKeyValue("outcome", "acquired").stop();
		if (!this.listeners.isEmpty()) {
			Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);
			notify("acquired", (listener) -> listener.acquired(lease, waited));
		}
	}

	void notAcquired(Observation observation, LockRequest request, long startNanos, LockNotAcquiredException reason) {
		notAcquired(observation, request, startNanos, reason instanceof LockBackendUnavailableException, () -> reason);
	}

	/**
	 * Another owner holds the lock ({@code tryAcquire}): the reason is built only for listeners, as this is no error.
	 */
	void held(Observation observation, LockRequest request, long startNanos,
			Supplier<LockNotAcquiredException> reason) {
		notAcquired(observation, request, startNanos, false, reason);
	}

	private void notAcquired(Observation observation, LockRequest request, long startNanos, boolean error,
			Supplier<LockNotAcquiredException> reason) {
		observation.lowCardinalityKeyValue("outcome", error ? "error" : "timeout");
		if (error) {
			observation.error(reason.get());
		}
		observation.stop();
		if (!this.listeners.isEmpty()) {
			Duration waited = Duration.ofNanos(System.nanoTime() - startNanos);
			LockNotAcquiredException why = reason.get();
			notify("notAcquired", (listener) -> listener.notAcquired(request, waited, why));
		}
	}

	void released(Lease lease, long acquiredAtNanos) {
		if (!this.listeners.isEmpty()) {
			Duration held = Duration.ofNanos(System.nanoTime() - acquiredAtNanos);
			notify("released", (listener) -> listener.released(lease, held));
		}
	}

	void renewed(Lease lease) {
		notify("renewed", (listener) -> listener.renewed(lease));
	}

	void renewalFailed(Lease lease, RuntimeException cause) {
		notify("renewalFailed", (listener) -> listener.renewalFailed(lease, cause));
	}

	void lost(Lease lease, String reason) {
		notify("lost", (listener) -> listener.lost(lease, reason));
	}

	void releasedAfterLoss(Lease lease) {
		notify("releasedAfterLoss", (listener) -> listener.releasedAfterLoss(lease));
	}

	private void notify(String event, Consumer<LeaseListener> call) {
		for (LeaseListener listener : this.listeners) {
			try {
				call.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("LeaseListener " + listener + " failed on " + event + "; ignored", ex);
			}
		}
	}

}
