"""Demo content for the Stride demo clinic: articles, FAQ and resources (plain data)."""

# Clinical statements in this module follow /docs/CLINICAL.md (NHS, NICE NG59, JOSPT 2021,
# GIRFT 2023 for red flags; Farrar 2001 and Stratford 1995 for NPRS and PSFS). Keep any edit
# to the same sources and leave decisions to the patient's therapist or doctor.

# --- Article bodies ------------------------------------------------------------------------

_BACK_PAIN_EXERCISES_BODY = """\
## Understanding Back Pain

Back pain is very common. It can come from many things, including poor posture, a strained muscle or an injury. Understanding what is \
behind your pain matters, because it helps you and your therapist choose the right treatment.

There is reassuring news, too. For most people, everyday low back pain starts to ease within \
about two weeks and passes within four to six weeks. While it settles, movement is usually \
part of the answer. National guidelines for low back pain in the UK and the US put exercise at \
the centre of treatment: stretching, strengthening, low-impact activity such as walking, \
exercises that train control of the trunk, and approaches like yoga, pilates or tai chi. \
Reviews of many studies find that exercise eases pain and improves everyday function by a \
modest amount over the first few months. It is not a quick fix, but it is something you can do \
yourself.

**Before you start:** this article is about everyday back pain. A few symptoms, such as \
numbness around your genitals or buttocks, new trouble passing urine, or weakness in both \
legs, need medical care right away instead of exercise. If you notice any warning sign, read \
[When back pain is an emergency](/articles/when-back-pain-is-an-emergency/) and get help first.

## Effective Exercises

The exercises below are common starting points for low back pain. Your therapist may choose \
different ones, or change the amounts to suit you.

**Start gently.** A simple way to begin is 5 repetitions of each exercise, three times a day, \
adding 1 or 2 repetitions every few days as you feel able. Move slowly, breathe normally and \
stay in a range that feels comfortable. A gentle stretch is fine. **Stop and contact your \
therapist if an exercise causes sharp or increasing pain.**

### Knee-to-chest stretch

Lie on your back with your knees bent and your feet flat. Hold behind one thigh and gently \
bring that knee toward your chest. Hold for about 5 seconds, lower it, then switch legs. When \
that feels easy, try bringing both knees up together.

- Typical amount: hold 5 seconds, 2 to 3 times, twice a day.

### Pelvic tilt

Lie on your back with your knees bent. Tighten your stomach muscles and gently press the small \
of your back into the floor, so your pelvis tips up slightly. Hold, then relax.

- Typical amount: hold 5 seconds, starting with 5 repetitions and slowly building up to 30.

### Cat-camel

Get on your hands and knees, with your hands under your shoulders and your knees under your \
hips. Slowly round your back up toward the ceiling, letting your head drop. Then slowly let \
your back sag a little as you lift your head.

- Typical amount: 8 to 15 slow repetitions.

### Glute bridge

Lie on your back with your knees bent and your feet flat, about hip-width apart. Squeeze your \
buttocks and lift your hips until your body makes a straight line from shoulders to knees. \
Hold, then lower slowly.

- Typical amount: hold for 3 breaths, starting with 5 repetitions and building up to 30.

### Walking

Walking is a low-impact way to keep your whole body moving. Start with a distance that feels \
manageable and add a little every few days. Over time, aim for 150 to 300 minutes a week, for \
example 30 minutes on five days. Our article on \
[staying active with back pain](/articles/staying-active-with-back-pain/) has more ideas.

Whatever the exercise, the same rule applies: **stop and contact your therapist if it causes \
sharp or increasing pain.**

### Step-by-step instructions

Our exercise library has numbered steps, doses and safety notes for two of these:

[[exercise:knee-to-chest]]

[[exercise:glute-bridge]]

## Importance of Consistency

Exercise helps most when it becomes a habit. Practising regularly strengthens the muscles that \
support your spine and keeps you flexible, which can bring longer-lasting relief.

Keeping it up is harder than it sounds. Studies suggest that up to half of people find it hard \
to keep up their home exercises. A few things make it easier:

- **Keep the list short.** Two to four exercises you actually do are better than ten you skip.
- **Know exactly what to do.** Clear written instructions, ideally with pictures, remove the \
guesswork.
- **Set a goal that matters to you,** such as walking to the park without stopping or lifting \
your child more comfortably.
- **Use reminders.** A phone alarm or an app can prompt you at the same time each day. In one \
study, an app with reminders helped people keep going better than paper handouts did.
- **Track what you do.** Ticking off each session and noting your pain shows you how far you \
have come.
- **Check in with your therapist,** who can adjust the plan when something is too easy, too \
hard or too time-consuming.

If you miss a day, simply pick up where you left off.

## When to Consult a Therapist

Home exercises are a good first step, but they are not the whole story. It is time to see a \
physical therapist or your doctor if:

- your back pain has not improved after a few weeks, or
- an exercise causes severe pain, or pain you did not have before.

A physical therapist can examine you, look at how you move, and work out what is most likely \
behind your pain. From there, they can tailor your exercises, add hands-on treatment where it \
helps, and track your progress with you over time.

Some symptoms should never wait for a therapy appointment. If you have any warning signs, \
such as numbness in the "saddle" area, problems with bladder or bowel control, weakness in \
both legs, fever or pain that is worse at night, read \
[When back pain is an emergency](/articles/when-back-pain-is-an-emergency/) and get medical \
help.

Take your first steps towards recovery. Our team at Stride Physical Therapy in Brooklyn is \
here to help. Choose **Book Appointment** to find a time that suits you, or contact us if you \
have a question first.
"""

_SCIATICA_BODY = """\
## What Is Sciatica?

Sciatica is the name for pain that travels from the lower back or buttock down the back of one \
leg. Some people also feel tingling, numbness or weakness in that leg. It happens when the \
sciatic nerve, which runs from the lower back down each leg, becomes irritated.

Sciatica can be worrying, especially when the pain reaches your foot. Your therapist or doctor \
can examine you and explain what is most likely behind your symptoms, and what that means for \
your treatment.

## Check for Warning Signs First

Some symptoms that can come with back or leg pain need emergency care, not exercise. **Call \
911 or go to the emergency department now** if you have:

- numbness, tingling or weakness in **both** legs, or weakness in a leg that is getting worse
- numbness around your genitals, buttocks or inner thighs (the "saddle" area)
- new difficulty passing urine, or loss of control of your bladder or bowels
- new problems with sexual function together with back pain

There are other signs that mean you should see a doctor the same day. You can find the full \
list in [When back pain is an emergency](/articles/when-back-pain-is-an-emergency/).

## How Movement Can Help

The UK guideline for low back pain and sciatica (NICE NG59) puts exercise at the centre of \
care. The aim is to keep you moving within what feels manageable, \
while your body settles.

At your first visit, your therapist will look at which positions and movements ease your \
symptoms and which make them worse. They will then build a short program around what you can \
do now, and change it as you improve. This is why two people with sciatica can end up with \
quite different exercises.

## Exercises Your Therapist May Suggest

These are common examples. Please do not start them before a therapist or doctor has checked \
your symptoms, and **stop and contact your therapist if any exercise causes sharp or \
increasing pain, in your back or in your leg.**

- **Knee-to-chest stretch.** Lying on your back, gently bring one knee toward your chest. Hold \
about 5 seconds, 2 to 3 times, twice a day.
- **Knee rolls.** Lying on your back with knees bent and together, slowly let both knees roll \
to one side, then the other. Try 8 to 10 alternating rolls.
- **Seated rotation stretch.** Sitting tall, cross one leg over the other and gently turn your \
upper body toward the bent knee until you feel a stretch in your buttock. Hold about 30 \
seconds. A common plan is 2 sets of 4 on each side, once a day.
- **Lying on your elbows or a press-up.** Lying on your stomach, prop yourself on your elbows, \
or gently press your upper body up with your hands while your hips stay down. Around 10 \
repetitions, a few times a day.
- **Walking.** Short, regular walks, building up slowly over the weeks.

A gentle start works well: 5 repetitions of each exercise, three times a day, adding 1 or 2 \
every few days.

## How Long Does It Take?

For back pain in general, NHS guidance says pain usually starts to ease within about two weeks \
and passes in four to six weeks. Sciatica does not always follow the same timeline, so ask your \
therapist what to expect in your case.

See your therapist or doctor if your symptoms have not improved after a few weeks, or if an \
exercise causes severe pain or new symptoms. Keeping a simple 0 to 10 pain score each day \
makes these conversations easier, because you can both see the trend.

If sciatica is getting in the way of your day, our therapists at Stride Physical Therapy can \
help. Choose **Book Appointment** to find a time.
"""

_POSTURE_BODY = """\
## Why Posture Comes Up So Often

Poor posture is one of the things that can contribute to back pain, and many of us spend long \
hours sitting at a desk, a laptop or a phone. That does not mean you must hold a perfect, \
upright position all day. A more practical goal is to be comfortable, and to change position \
often. Many people find that moving regularly feels better than holding any one position for \
a long time, however "good" it looks.

## Set Up Your Workspace

There is no single correct desk setup, so treat these as starting points to try and adjust:

- **Chair.** Set the height so your feet rest flat on the floor or on a footrest. Sit back in \
the chair so it supports your lower back. A small cushion or rolled towel can help.
- **Screen.** Place it about an arm's length away, with the top of the screen around eye level, \
so you are not leaning in or looking down for hours.
- **Keyboard and mouse.** Keep them close, so your elbows can rest near your sides and your \
shoulders stay relaxed.
- **Laptop.** If you use one for long stretches, a separate keyboard and a stand can make it \
easier to follow the points above.
- **Phone.** Use a headset or speaker for long calls rather than holding the phone between your \
ear and shoulder.

If something still feels wrong, change one thing at a time and notice how you feel over a few \
days.

## Build Movement Into Your Day

Small, regular breaks add up. Try setting a reminder, for example once an hour, to stand up, \
walk a few steps or simply change position. Some ideas:

- Stand or walk while you are on the phone.
- Take the stairs for one or two floors.
- Walk to a colleague's desk instead of sending a message.
- Use part of your lunch break for a short walk.

Walking at work counts toward an overall activity goal of 150 to 300 minutes a week, built up \
gradually.

## Stretches for the Workday

These stretches are common choices for people who sit a lot. Start gently, and **stop and \
contact your therapist if any of them causes sharp or increasing pain.**

- **Standing back bend.** Stand with your feet apart and your hands on the small of your back. \
Gently lean backward, then return to upright. Begin with 5 repetitions, three times a day.
- **Hip-flexor stretch.** Step one foot forward into a small lunge, keeping your back upright, \
until you feel a stretch at the front of the back hip. Hold about 30 seconds, twice on each \
leg.
- **Hamstring stretch.** Rest your heel on a low step with the leg straight and lean forward \
gently from the hips until you feel a stretch at the back of the thigh. Hold about 30 seconds.
- **Seated rotation stretch.** Sitting tall, cross one leg over the other and gently turn \
toward the bent knee. Hold about 30 seconds on each side.

Your therapist can suggest others that fit your body and your job.

## When to Get Help

If your back pain has not improved after a few weeks, or a stretch or exercise causes severe \
or new pain, talk to a physical therapist or your doctor. At Stride Physical Therapy we can \
talk through your working day with you and build a plan that fits it. Choose **Book \
Appointment** to find a time.

If you notice any warning signs, such as numbness in the "saddle" area, problems with bladder \
or bowel control, or weakness in both legs, do not wait: read \
[When back pain is an emergency](/articles/when-back-pain-is-an-emergency/).
"""

_STAYING_ACTIVE_BODY = """\
## Why Keeping Active Matters

When your back hurts, it is natural to want to stay still. Yet exercise is at the heart of the \
main guidelines for low back pain, and low-impact aerobic activity such as walking is one of \
the types they include. Everyday back pain usually starts to ease within about two weeks. \
Gentle, regular activity is a way to keep your body moving while that happens, at a pace you \
choose.

## Choosing an Activity

The best activity is one you can do comfortably and will keep doing. Three low-impact options \
work well for many people:

- **Walking.** Needs no equipment and fits into daily life. Walk on level ground at first and \
add hills or distance later.
- **Stationary cycling.** Start with an easy 5 to 10 minute warm-up, then build up your time \
the same way you would with walking.
- **Swimming or water exercise.** The water supports your body, which some people find \
comfortable. Build up your time as you would with walking.

If you are not sure which suits you, ask your therapist. They can help you choose and adjust \
the activity, for example a different stroke in the pool or a different seat height on the \
bike.

## How Much, and How Fast?

Over time, a good target is 150 to 300 minutes of activity a week, for example 30 minutes on \
five days. You do not need to start there. Begin with whatever feels manageable, even a few \
minutes, and add a little every few days. Short sessions spread through the day count too.

Some people like to plan their week in advance:

1. Pick your activity and the days you will do it.
2. Start at a level that feels easy.
3. Add a few minutes every few days if your pain stays steady.
4. Hold at the same level for a while if you have a harder day.

## Listening to Your Body

Some discomfort, such as feeling a little stiff or tired, can happen when you try something \
new. Pain that is sharp or keeps building is different: **stop and contact your therapist if an activity causes sharp or \
increasing pain.**

A quick way to keep track is to rate your pain from 0 (no pain) to 10 (worst imaginable) once \
a day. Contact your therapist if:

- your pain score is 2 or more points above where you started, two days in a row, or
- you rate your pain at 7 or more during exercise.

Your therapist may suggest a different activity, a shorter session or a check-up visit.

## Making It a Habit

Tie your activity to something you already do, like a walk after breakfast. Set a reminder, \
note each session, and look back at your week. Seeing your minutes add up is motivating. If \
you miss a day, just start again the next day.

Back pain that has not improved after a few weeks deserves a professional look. Our team at \
Stride Physical Therapy can help you build activity back into your life. Choose **Book \
Appointment** to find a time. If you notice any warning signs, read \
[When back pain is an emergency](/articles/when-back-pain-is-an-emergency/) first.
"""

_EMERGENCY_BODY = """\
## Know the Warning Signs

Everyday back pain usually starts to ease within about two weeks. But a few signs point to a \
problem that needs medical care right away, not home exercises or a physical therapy \
appointment. Some of them can mean pressure on the bundle of nerves at the bottom of the \
spine, called cauda equina syndrome, which needs treatment quickly.

This page lists those signs in two groups. If you are reading this because you have one of \
them, please stop reading and get help now.

## Call 911 or Go to the Emergency Department Now

Get emergency care straight away if you have back pain together with any of these:

- numbness, tingling or weakness in **both** legs
- weakness in a leg that is getting worse
- numbness around your genitals, buttocks or inner thighs (the "saddle" area)
- new difficulty passing urine
- loss of control of your bladder or bowels
- new problems with sexual function
- back pain after a serious accident or fall
- chest pain

Do not wait to see whether it gets better, and do not wait for a therapy appointment.

## See a Doctor Today

Call your doctor's office or an urgent-care line and ask to be seen **today** if you have back \
pain and:

- a fever, or you feel hot and shivery
- weight loss you cannot explain
- a lump or swelling in your back, or a change in the shape of your back
- pain that does not ease when you rest, or that is worse at night
- a history of cancer, a weakened immune system, or injected drug use, and your back pain is new
- a minor fall or injury, and you have osteoporosis or take steroids long term

## What About Your Home Exercises?

Warning signs are not something to treat with exercise. If you have any of the signs above, \
pause your home exercise program and get medical help first. Once you have been seen, let your \
therapist know what the doctor said. Your therapist will follow the doctor's advice on when, \
and how, to start again.

## If You Are Not Sure

It can be hard to judge your own symptoms, especially when you are in pain. If you are unsure \
whether something counts as a warning sign, it is always reasonable to get medical advice the \
same day. Asking is always the right call.

Please do not use our contact form or online booking to report these symptoms. Messages are \
not read around the clock, and these signs need a doctor, not a wait.

When the urgent problem has been checked and your doctor is happy for you to return to \
therapy, our team at Stride Physical Therapy will be glad to help you with the next steps.
"""

_FIRST_VISIT_BODY = """\
## Before You Come

**Referrals and insurance.** Every US state allows you to see a physical therapist directly in \
at least some situations, though many set limits. Your insurance plan may have its own rules. \
As a rough guide, HMO and POS plans usually ask for a referral from a doctor, while PPO and EPO \
plans usually do not. Medicare asks for a plan of care signed by your doctor. Plans differ, so \
please check with yours. If you have a referral, bring it with you. When you book online, we \
will tell you if your plan needs one.

**What to bring.** Your insurance card, a photo ID, a list of any medicines you take, and any \
notes or imaging reports about your back. Wear clothes you can move in easily. Our printable \
checklist, "Preparing for your first visit", covers the details.

**Safety questions.** When you book, and again at your visit, we ask a few short questions \
about warning signs. They help make sure physical therapy is the right place to start.

## Your First Visit: The Initial Evaluation

Your first appointment is an initial evaluation and lasts about 60 minutes. It usually covers:

1. **Your story.** When your pain started, what makes it better or worse, how it affects your \
day, and your health history.
2. **Your goals.** What you want to get back to, whether that is sleeping through the night, \
gardening or running again.
3. **A physical exam.** Your therapist watches how you move and checks things like strength and \
flexibility. Tell them if anything hurts. They will adjust what they do.
4. **A plan.** Your therapist explains what they found in plain words and agrees a plan with \
you, often including your first few home exercises.

Please ask questions at any point. A good plan is one you understand and can fit into your life.

## Follow-Up Visits

Follow-up visits usually last 30 to 45 minutes. They may include exercise, hands-on treatment \
and advice on managing your pain at home and at work. Your therapist will check how your home \
exercises are going and change them as you improve.

How many visits you need depends on your condition and your goals. Some people need only a \
few, while others come for several months.

## Tracking Your Progress

To see whether treatment is working, we use two short, simple measures.

**Pain scale (NPRS).** You rate your pain from 0 (no pain) to 10 (the worst pain you can \
imagine). A drop of about 2 points, or about a third of your starting score, is generally seen \
as a real improvement, not just a good day.

**Activity scale (PSFS).** At your first visit you name 3 to 5 everyday activities that your \
back makes hard, such as putting on socks or sitting through a movie. You rate each from 0 \
(unable to do it) to 10 (able to do it as well as before your problem). We average the ratings \
and repeat them every few weeks. A rise of about 2 points in the average is a meaningful \
change.

These numbers help you and your therapist decide together what to do next.

## Changing Your Appointment

If you need to cancel or reschedule, please give us at least 24 hours' notice so another \
patient can use the time.

Ready to get started? Choose **Book Appointment** to pick a time with Dr. Maya Chen, \
Dr. Daniel Okafor or Sofia Alvarez.
"""

# --- Articles ------------------------------------------------------------------------------

ARTICLES: list[dict[str, object]] = [
    {
        "slug": "exercises-for-back-pain-relief",
        "title": "Exercises for Back Pain Relief",
        "subheading": "Gentle moves you can do at home, how to keep them up, and when to ask for help.",
        "summary": (
            "Stretching, strengthening and walking are at the heart of care for everyday low "
            "back pain. Learn a few simple exercises, how to start gently and stay consistent, "
            "and when to see a therapist."
        ),
        "body": _BACK_PAIN_EXERCISES_BODY,
        "conditions": ["Low back pain", "General fitness"],
        "reviewer": "maya-chen",
        "reviewed_on": "2026-10-14",
        "published_on": "2026-06-08",
        "featured": True,
        "related": [
            "staying-active-with-back-pain",
            "when-back-pain-is-an-emergency",
            "posture-and-back-pain-at-work",
            "sciatica-what-it-is-and-how-movement-helps",
        ],
    },
    {
        "slug": "when-back-pain-is-an-emergency",
        "title": "When Back Pain Is an Emergency",
        "subheading": "The warning signs that need a doctor today, or the emergency department right now.",
        "summary": (
            "A few symptoms with back pain need medical care straight away, not exercise. "
            "Learn which signs mean calling 911 now and which mean seeing a doctor today."
        ),
        "body": _EMERGENCY_BODY,
        "conditions": ["Low back pain", "Sciatica"],
        "reviewer": "maya-chen",
        "reviewed_on": "2026-11-02",
        "published_on": "2026-06-15",
        "featured": True,
        "related": [
            "exercises-for-back-pain-relief",
            "sciatica-what-it-is-and-how-movement-helps",
            "what-to-expect-at-your-first-visit",
        ],
    },
    {
        "slug": "what-to-expect-at-your-first-visit",
        "title": "What to Expect at Your First Physical Therapy Visit",
        "subheading": "Referrals, what to bring, how the first hour goes, and how we track your progress.",
        "summary": (
            "Your first visit is a 60-minute evaluation: we listen, look at how you move and "
            "agree a plan with you. Here is how to prepare and how we measure progress together."
        ),
        "body": _FIRST_VISIT_BODY,
        "conditions": ["Low back pain"],
        "reviewer": "daniel-okafor",
        "reviewed_on": "2026-10-20",
        "published_on": "2026-07-06",
        "featured": True,
        "related": [
            "exercises-for-back-pain-relief",
            "when-back-pain-is-an-emergency",
            "staying-active-with-back-pain",
        ],
    },
    {
        "slug": "sciatica-what-it-is-and-how-movement-helps",
        "title": "Sciatica: What It Is and How Movement Helps",
        "subheading": "Understanding leg pain that starts in your back, and how a therapist can help you move again.",
        "summary": (
            "Sciatica is pain that travels from the lower back down the leg. Learn the warning "
            "signs to act on first, and how a tailored, gentle exercise program can help."
        ),
        "body": _SCIATICA_BODY,
        "conditions": ["Sciatica", "Low back pain"],
        "reviewer": "daniel-okafor",
        "reviewed_on": "2026-11-10",
        "published_on": "2026-08-03",
        "featured": False,
        "related": [
            "when-back-pain-is-an-emergency",
            "exercises-for-back-pain-relief",
            "staying-active-with-back-pain",
        ],
    },
    {
        "slug": "posture-and-back-pain-at-work",
        "title": "Posture and Back Pain at Work",
        "subheading": "Simple changes to your desk and your day that can make long hours easier on your back.",
        "summary": (
            "You do not need perfect posture, but comfort and regular movement help. Try these "
            "desk adjustments, movement breaks and workday stretches."
        ),
        "body": _POSTURE_BODY,
        "conditions": ["Posture", "Low back pain"],
        "reviewer": "sofia-alvarez",
        "reviewed_on": "2026-09-01",
        "published_on": "2026-09-01",
        "featured": False,
        "related": [
            "exercises-for-back-pain-relief",
            "staying-active-with-back-pain",
        ],
    },
    {
        "slug": "staying-active-with-back-pain",
        "title": "Staying Active with Back Pain",
        "subheading": "How to choose an activity, build up safely and know when to ease off.",
        "summary": (
            "Walking, cycling and swimming are gentle ways to keep moving with back pain. Start "
            "small and build toward 150 to 300 minutes a week, at your own pace."
        ),
        "body": _STAYING_ACTIVE_BODY,
        "conditions": ["Low back pain", "General fitness"],
        "reviewer": "sofia-alvarez",
        "reviewed_on": "2026-11-16",
        "published_on": "2026-09-22",
        "featured": False,
        "related": [
            "exercises-for-back-pain-relief",
            "posture-and-back-pain-at-work",
            "what-to-expect-at-your-first-visit",
        ],
    },
]

# --- FAQ -----------------------------------------------------------------------------------

FAQ_CATEGORIES: list[dict[str, object]] = [
    {"slug": "about-physical-therapy", "name": "About physical therapy", "order": 1},
    {"slug": "appointments-and-insurance", "name": "Appointments and insurance", "order": 2},
    {"slug": "your-care-at-home", "name": "Your care at home", "order": 3},
]

FAQS: list[dict[str, object]] = [
    # About physical therapy
    {
        "slug": "what-is-physical-therapy",
        "category": "about-physical-therapy",
        "question": "What is physical therapy?",
        "answer": (
            "Physical therapy is a healthcare profession that helps people move better and get "
            "more out of daily life. A physical therapist assesses how your body moves and "
            "treats the problem through exercise, hands-on techniques (manual therapy) and "
            "education, so you understand your condition and how to look after it."
        ),
        "order": 1,
        "highlight": True,
    },
    {
        "slug": "does-physical-therapy-hurt",
        "category": "about-physical-therapy",
        "question": "Does physical therapy hurt?",
        "answer": (
            "You may feel some discomfort, for example a stretch or tired muscles, but physical "
            "therapy should not be very painful. Our therapists aim for treatment that works "
            "and that you can tolerate, and they adjust it as they go.\n\n"
            "Always tell your therapist how you feel during a session. Your feedback is how we "
            "get the balance right."
        ),
        "order": 2,
        "highlight": True,
    },
    {
        "slug": "benefits-of-physical-therapy",
        "category": "about-physical-therapy",
        "question": "What are the benefits of physical therapy?",
        "answer": (
            "Physical therapy can help you move more easily, build strength and reduce pain. "
            "It can also support your recovery after surgery, help you manage a long-term "
            "condition and lower the chance of injuring yourself again.\n\n"
            "What you gain depends on your condition and your goals. Your therapist will talk "
            "these through with you at your first visit."
        ),
        "order": 3,
        "highlight": False,
    },
    {
        "slug": "who-are-your-therapists",
        "category": "about-physical-therapy",
        "question": "Who will I see at Stride Physical Therapy?",
        "answer": (
            "Our Brooklyn team is Dr. Maya Chen, PT, DPT, OCS (a board-certified orthopedic "
            "clinical specialist), Dr. Daniel Okafor, PT, DPT, and Sofia Alvarez, PT, DPT, "
            "CSCS (a certified strength and conditioning specialist). You can choose a "
            "therapist when you book."
        ),
        "order": 4,
        "highlight": False,
    },
    # Appointments and insurance
    {
        "slug": "do-i-need-a-referral",
        "category": "appointments-and-insurance",
        "question": "Do I need a referral to see a physical therapist?",
        "answer": (
            "Often you do not. Every US state allows people to see a physical therapist "
            "directly in at least some situations. Some insurance plans, however, only cover "
            "physical therapy with a doctor's referral: HMO and POS plans usually ask for one, "
            "while PPO and EPO plans usually do not. Medicare requires a plan of care that your "
            "doctor signs.\n\n"
            "Please check with your insurance provider before your first visit. If you have a "
            "referral, please bring it to your first visit."
        ),
        "order": 1,
        "highlight": True,
    },
    {
        "slug": "how-long-do-sessions-last",
        "category": "appointments-and-insurance",
        "question": "How long do sessions and treatment last?",
        "answer": (
            "At Stride, your first visit (the initial evaluation) takes about 60 minutes and "
            "follow-up visits take 30 to 45 minutes.\n\n"
            "How long your treatment lasts depends on your condition and your goals. Some "
            "people need only a few visits, while others come for several months. Your "
            "therapist will give you an idea at your first visit and review it as you progress."
        ),
        "order": 2,
        "highlight": False,
    },
    {
        "slug": "can-i-book-online",
        "category": "appointments-and-insurance",
        "question": "Can I book an appointment online?",
        "answer": (
            "Yes. You can [book online](/book/) at any time: choose a therapist and an "
            "appointment type, then pick a free slot. If your insurance plan needs a referral, "
            "the booking page will remind you to bring it."
        ),
        "order": 3,
        "highlight": False,
    },
    {
        "slug": "what-should-i-wear-and-bring",
        "category": "appointments-and-insurance",
        "question": "What should I wear and bring to my appointment?",
        "answer": (
            "Wear comfortable clothes you can move in, such as shorts or loose trousers and "
            "supportive shoes, so your therapist can see how you move.\n\n"
            "Bring your insurance card, a photo ID, your referral if you have one, a list of "
            "any medicines you take, and any notes or imaging reports about your condition. "
            'Our handout "Preparing for your first visit" has a full checklist.'
        ),
        "order": 4,
        "highlight": False,
    },
    {
        "slug": "how-do-i-cancel-or-reschedule",
        "category": "appointments-and-insurance",
        "question": "How do I cancel or reschedule an appointment?",
        "answer": (
            "Please let us know at least 24 hours before your appointment, so we can offer the "
            "time to another patient. To cancel or change a time, [contact us](/contact/).\n\n"
            "We keep a record of late cancellations and missed appointments. If something "
            "unexpected comes up, get in touch as soon as you can."
        ),
        "order": 5,
        "highlight": False,
    },
    {
        "slug": "how-do-i-contact-you",
        "category": "appointments-and-insurance",
        "question": "How do I contact you?",
        "answer": (
            "Send us a message through our [contact page](/contact/) and our team will get "
            "back to you. Please do not use it for urgent medical problems: messages are not "
            "read around the clock."
        ),
        "order": 6,
        "highlight": False,
    },
    # Your care at home
    {
        "slug": "how-often-should-i-do-home-exercises",
        "category": "your-care-at-home",
        "question": "How often should I do my home exercises?",
        "answer": (
            "Follow the plan your therapist gives you, as it is set for you. When people are "
            "just starting, a common approach is a few repetitions of each exercise spread "
            "through the day, adding a couple more every few days.\n\n"
            "A short program of two to four exercises is easier to keep up. If your plan does "
            "not fit your day, tell your therapist so they can adjust it."
        ),
        "order": 1,
        "highlight": False,
    },
    {
        "slug": "what-if-an-exercise-hurts",
        "category": "your-care-at-home",
        "question": "What if an exercise hurts?",
        "answer": (
            "A gentle stretch or tired muscles are normal. If an exercise causes sharp or "
            "increasing pain, stop it and contact your therapist. They may change how you do "
            "it, lower the amount, or swap it for something else.\n\n"
            "If you notice numbness, weakness in your legs or problems with bladder or bowel "
            "control, stop exercising and get medical help straight away."
        ),
        "order": 2,
        "highlight": False,
    },
    {
        "slug": "how-do-i-track-my-pain",
        "category": "your-care-at-home",
        "question": "How should I keep track of my pain?",
        "answer": (
            "Once a day, rate your pain from 0 (no pain) to 10 (the worst you can imagine) and "
            'write it down with a short note about what you did. Our "Pain and activity '
            'diary" handout shows you how.\n\n'
            "Bring your notes to your visits. Seeing the trend helps you and your therapist "
            "decide what to do next."
        ),
        "order": 3,
        "highlight": False,
    },
    {
        "slug": "when-should-i-seek-urgent-care",
        "category": "your-care-at-home",
        "question": "When should I seek urgent care instead of physical therapy?",
        "answer": (
            "Call 911 or go to the emergency department now if back pain comes with numbness "
            "or weakness in both legs, leg weakness that is getting worse, numbness around your "
            "genitals or buttocks, new trouble passing urine, loss of bladder or bowel control, "
            "or chest pain, or if it follows a serious accident or fall.\n\n"
            "See a doctor the same day for back pain with fever, unexplained weight loss, or "
            "pain that is worse at night. The full list is in "
            "[When back pain is an emergency](/articles/when-back-pain-is-an-emergency/)."
        ),
        "order": 4,
        "highlight": True,
    },
]

# --- Resources -----------------------------------------------------------------------------

_HANDOUT_BACK_CARE = """\
BACK CARE AT HOME: A STARTER EXERCISE SHEET
Stride Physical Therapy, Brooklyn, NY

Use this sheet only if your therapist or doctor has said these exercises are
right for you. Your own program may be different.

HOW TO START
- Begin with 5 repetitions of each exercise, 3 times a day.
- Every few days, add 1 or 2 repetitions if your pain stays steady.
- Move slowly and breathe normally.
- STOP and contact your therapist if any exercise causes sharp or
  increasing pain.

1. KNEE-TO-CHEST STRETCH
Lie on your back, knees bent. Hold behind one thigh and gently bring the
knee toward your chest. Switch legs. Later, try both knees together.
Dose: hold 5 seconds, 2 to 3 times, twice a day.
Stop if it causes sharp or increasing pain.

2. PELVIC TILT
Lie on your back, knees bent. Tighten your stomach and gently flatten the
small of your back into the floor.
Dose: hold 5 seconds; start with 5 and slowly build up to 30.
Stop if it causes sharp or increasing pain.

3. CAT-CAMEL
On hands and knees, slowly round your back up, then let it sag gently.
Dose: 8 to 15 slow repetitions.
Stop if it causes sharp or increasing pain.

4. GLUTE BRIDGE
Lie on your back, knees bent, feet flat. Squeeze your buttocks and lift
your hips. Lower slowly.
Dose: hold for 3 breaths; start with 5 and build up to 30.
Stop if it causes sharp or increasing pain.

GET HELP
- See your therapist or doctor if your pain has not improved after a few
  weeks, or an exercise causes severe or new pain.
- Call 911 or go to the emergency department now if you have numbness or
  weakness in both legs, numbness around your genitals or buttocks, new
  trouble passing urine, or loss of bladder or bowel control.
- More: stride website, "When back pain is an emergency".
"""

_HANDOUT_PAIN_DIARY = """\
PAIN AND ACTIVITY DIARY
Stride Physical Therapy, Brooklyn, NY

A short daily note helps you and your therapist see how you are doing.
It takes less than a minute.

YOUR PAIN SCORE (0 TO 10)
Once a day, at about the same time, rate your pain:
  0 = no pain
  10 = the worst pain you can imagine
Pick the number that fits best. There is no wrong answer.

WHAT TO WRITE EACH DAY
- Date
- Pain score (0 to 10)
- Home exercises done? (yes / partly / no)
- Activity, for example "walked 15 minutes"
- Anything that made pain better or worse

EXAMPLE
  Mon 3 Nov | pain 5 | exercises: yes | walked 10 min | stiff after sitting
  Tue 4 Nov | pain 4 | exercises: yes | walked 15 min | felt easier

READING YOUR DIARY
- A drop of about 2 points, or about a third of your starting score, is
  generally a real improvement.
- Contact your therapist if your score is 2 or more points above where you
  started on two days in a row, or if you rate your pain 7 or more while
  exercising.
- Bring your diary to every visit.

IMPORTANT
A diary is not for emergencies. Call 911 or go to the emergency department
now if you have numbness or weakness in both legs, numbness around your
genitals or buttocks, or new problems with bladder or bowel control.
"""

_HANDOUT_FIRST_VISIT = """\
PREPARING FOR YOUR FIRST VISIT: A CHECKLIST
Stride Physical Therapy, Brooklyn, NY

Your first visit is an initial evaluation and lasts about 60 minutes.
Follow-up visits usually take 30 to 45 minutes.

BEFORE YOUR VISIT
[ ] Check with your insurance plan whether you need a doctor's referral.
    (HMO and POS plans usually do; PPO and EPO plans usually do not.
    Medicare asks for a plan of care signed by your doctor.)
[ ] Ask your doctor for the referral if your plan needs one.
[ ] Note when your pain started and what makes it better or worse.
[ ] Think of 3 to 5 everyday activities that are hard for you now,
    for example putting on socks or climbing stairs.
[ ] Write down what you would most like to get back to.

WHAT TO BRING
[ ] Insurance card and photo ID
[ ] Your referral, if you have one
[ ] A list of the medicines you take
[ ] Any notes or imaging reports about your condition
[ ] Your questions

WHAT TO WEAR
[ ] Comfortable clothes you can move in
[ ] Supportive shoes

AT THE VISIT
Your therapist will ask about your health and goals, watch how you move,
explain what they find, and agree a plan with you. You will rate your
pain from 0 to 10 and score the activities on your list.

IF YOU NEED TO CHANGE YOUR APPOINTMENT
Please give us at least 24 hours' notice.
"""

RESOURCES: list[dict[str, object]] = [
    {
        "slug": "back-care-at-home",
        "title": "Back care at home: a starter exercise sheet",
        "description": "Four gentle exercises with starting amounts and safety notes, to print and keep.",
        "kind": "handout",
        "url": "",
        "filename": "back-care-at-home.txt",
        "content": _HANDOUT_BACK_CARE,
        "order": 1,
    },
    {
        "slug": "pain-and-activity-diary",
        "title": "Pain and activity diary",
        "description": "How to note your 0 to 10 pain score and activity each day, and when to call us.",
        "kind": "handout",
        "url": "",
        "filename": "pain-and-activity-diary.txt",
        "content": _HANDOUT_PAIN_DIARY,
        "order": 2,
    },
    {
        "slug": "preparing-for-your-first-visit",
        "title": "Preparing for your first visit",
        "description": "A checklist of what to check, bring and wear before your first appointment.",
        "kind": "handout",
        "url": "",
        "filename": "preparing-for-your-first-visit.txt",
        "content": _HANDOUT_FIRST_VISIT,
        "order": 3,
    },
    {
        "slug": "nhs-back-pain",
        "title": "NHS: Back pain",
        "description": "The UK National Health Service's guide to back pain, self-care and when to get help.",
        "kind": "link",
        "url": "https://www.nhs.uk/conditions/back-pain/",
        "filename": "",
        "content": "",
        "order": 4,
    },
    {
        "slug": "nice-ng59",
        "title": "NICE guideline NG59: Low back pain and sciatica",
        "description": "The UK clinical guideline on assessing and managing low back pain and sciatica in people over 16.",
        "kind": "link",
        "url": "https://www.nice.org.uk/guidance/ng59",
        "filename": "",
        "content": "",
        "order": 5,
    },
    {
        "slug": "medlineplus-back-pain",
        "title": "MedlinePlus: Back pain",
        "description": "Plain-language information on back pain from the US National Library of Medicine.",
        "kind": "link",
        "url": "https://medlineplus.gov/backpain.html",
        "filename": "",
        "content": "",
        "order": 6,
    },
    {
        "slug": "choosept",
        "title": "ChoosePT (American Physical Therapy Association)",
        "description": "The APTA's consumer site: what physical therapists do and guides to common conditions.",
        "kind": "link",
        "url": "https://www.choosept.com/",
        "filename": "",
        "content": "",
        "order": 7,
    },
]
