/* SPDX-License-Identifier: MIT */
/*
 * The "revived object" race, made to happen every time: a seccomp user
 * notification holds the winsys's GEM_CLOSE in the kernel, and while it is
 * held another thread imports the same dma-buf (or acquires the same
 * description and imports it). The table must make that import wait for
 * the close, so that it gets a fresh handle afterwards instead of the one
 * being closed. A winsys that closed outside its lock would hand out the
 * old number, which the held GEM_CLOSE then kills.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <seccomp.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <xf86drm.h>

#include <fdid/winsys.h>

#include "fdid_test.h"
#include "test_winsys_util.h"

/* How long the close is held: plenty for the racer to finish when nothing
 * stops it, even under TCG. */
enum { HOLD_MS = 500 };

struct pauser {
   pthread_t thread;
   sem_t have_fd;             /* listener is set */
   sem_t experiment_done;     /* the racer has finished, after the close */
   int listener;
   atomic_bool stop;
   void (*race)(void);        /* runs in its own thread while the close is held */
   bool raced_during_hold;    /* it finished before the close was let go */
};

static struct pauser pz;

struct racer {
   sem_t done;
};

static void *
racer_main(void *arg)
{
   struct racer *r = arg;
   pz.race();
   sem_post(&r->done);
   return NULL;
}

static void
respond_continue(int fd, struct seccomp_notif *req, struct seccomp_notif_resp *resp)
{
   memset(resp, 0, sizeof(*resp));
   resp->id = req->id;
   resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
   /* ENOENT: the caller is gone (killed by a failed check). */
   int r = seccomp_notify_respond(fd, resp);
   CHECK(r == 0 || r == -ENOENT);
}

/* Made before the filter, so neither it nor its racer is filtered. */
static void *
pauser_main(void *arg)
{
   struct seccomp_notif *req;
   struct seccomp_notif_resp *resp;
   CHECK_EQ(seccomp_notify_alloc(&req, &resp), 0);
   sem_wait(&pz.have_fd);
   bool first = true;

   while (!atomic_load(&pz.stop)) {
      struct pollfd p = { pz.listener, POLLIN, 0 };
      if (poll(&p, 1, 20) <= 0)
         continue;
      memset(req, 0, sizeof(*req));
      if (seccomp_notify_receive(pz.listener, req) != 0)
         continue;
      if (!first) {
         respond_continue(pz.listener, req, resp);
         continue;
      }
      first = false;

      struct racer r;
      sem_init(&r.done, 0, 0);
      pthread_t t;
      CHECK_EQ(pthread_create(&t, NULL, racer_main, &r), 0);
      struct timespec until;
      clock_gettime(CLOCK_REALTIME, &until);
      until.tv_nsec += HOLD_MS * 1000000L;
      until.tv_sec += until.tv_nsec / 1000000000L;
      until.tv_nsec %= 1000000000L;
      int w;
      while ((w = sem_timedwait(&r.done, &until)) != 0 && errno == EINTR)
         ;
      pz.raced_during_hold = w == 0;

      respond_continue(pz.listener, req, resp);
      CHECK_EQ(pthread_join(t, NULL), 0);
      sem_destroy(&r.done);
      sem_post(&pz.experiment_done);
   }
   seccomp_notify_free(req, resp);
   return NULL;
}

static void
pauser_start(void (*race)(void))
{
   if (seccomp_api_get() < 5)
      SKIP("libseccomp or the kernel has no user notification");
   memset(&pz, 0, sizeof(pz));
   pz.race = race;
   sem_init(&pz.have_fd, 0, 0);
   sem_init(&pz.experiment_done, 0, 0);
   CHECK_EQ(pthread_create(&pz.thread, NULL, pauser_main, NULL), 0);

   /* This thread only: every GEM_CLOSE it makes goes to the pauser. */
   scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
   CHECK(ctx != NULL);
   CHECK_EQ(seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_EQ, DRM_IOCTL_GEM_CLOSE)), 0);
   CHECK_EQ(seccomp_load(ctx), 0);
   pz.listener = seccomp_notify_fd(ctx);
   CHECK(pz.listener >= 0);
   seccomp_release(ctx);
   sem_post(&pz.have_fd);
}

static void
pauser_wait_experiment(void)
{
   while (sem_wait(&pz.experiment_done) != 0)
      CHECK_EQ(errno, EINTR);
}

static void
pauser_stop(void)
{
   atomic_store(&pz.stop, true);
   CHECK_EQ(pthread_join(pz.thread, NULL), 0);
   close(pz.listener);
   sem_destroy(&pz.have_fd);
   sem_destroy(&pz.experiment_done);
}

/* ---- A buffer's last release against a re-import ---------------------- */

static struct fdid_device *race_dev;
static int race_dmabuf;
static struct fdid_bo *race_result;

static void
race_reimport(void)
{
   race_result = bo_import(race_dev, race_dmabuf);
}

FDID_TEST(release_vs_reimport)
{
   struct two_cards t = two_cards_with_buffer(0xc1);
   race_dmabuf = t.dmabuf;
   race_dev = t.b;
   struct fdid_bo *obj = bo_import(t.b, race_dmabuf);
   uint32_t h = fdid_bo_handle(obj);

   pauser_start(race_reimport);
   fdid_bo_unref(obj);        /* its GEM_CLOSE is held while the racer runs */
   pauser_wait_experiment();

   /* The import waited for the close and got a handle made after it. */
   CHECK(!pz.raced_during_hold);
   CHECK(race_result != NULL);
   CHECK(gem_handle_alive(t.b_fd, fdid_bo_handle(race_result)));
   CHECK(bo_check(race_result, t.size, 0xc1));
   printf("# closed handle %u; the racing import got %u, made after the close\n",
          h, fdid_bo_handle(race_result));

   fdid_bo_unref(race_result);
   two_cards_close(&t);
   pauser_stop();
}

/* ---- A device's last release against a new entry of its description ---- */

static int race_fd;
static struct fdid_device *race_new_dev;

static void
race_reacquire(void)
{
   race_new_dev = dev_acquire(race_fd);
   race_result = bo_import(race_new_dev, race_dmabuf);
}

FDID_TEST(device_release_vs_reacquire)
{
   struct two_cards t = two_cards_with_buffer(0xc2);
   race_dmabuf = t.dmabuf;
   race_fd = t.b_fd;
   struct fdid_bo *obj = bo_import(t.b, race_dmabuf);

   pauser_start(race_reacquire);
   fdid_device_unref(t.b);      /* closes obj's handle; held */
   t.b = NULL;
   pauser_wait_experiment();

   CHECK(!pz.raced_during_hold);
   CHECK(race_new_dev != NULL && race_result != NULL);
   CHECK(gem_handle_alive(t.b_fd, fdid_bo_handle(race_result)));
   CHECK(bo_check(race_result, t.size, 0xc2));
   CHECK_EQ(fdid_bo_handle(obj), 0);

   fdid_bo_unref(obj);
   fdid_bo_unref(race_result);
   fdid_device_unref(race_new_dev);
   two_cards_close(&t);
   pauser_stop();
}

FDID_TEST_MAIN()
