"""Demo exercise library: the twenty exercises of /docs/CLINICAL.md §3 (plain data).

Categories, doses and body regions follow CLINICAL.md §3 (NICE NG59, JOSPT 2021, NHS
inform); where §3 gives a range, the dose fields hold its lower end and ``dose_note`` the
range. Steps and tips are written for this library in plain words and leave the decision to
the patient's therapist. Every exercise also shows the standard precaution
(``stride.programs.models.STANDARD_PRECAUTION``). Keep any edit to the same sources.
"""

REGIONS = [
    {"slug": "lower-back", "name": "Lower back"},
    {"slug": "hips", "name": "Hips"},
    {"slug": "pelvis", "name": "Pelvis"},
    {"slug": "whole-spine", "name": "Whole spine"},
    {"slug": "back-of-thigh", "name": "Back of thigh"},
    {"slug": "buttocks", "name": "Buttocks"},
    {"slug": "front-of-hip", "name": "Front of hip"},
    {"slug": "trunk", "name": "Trunk"},
    {"slug": "abdominals", "name": "Abdominals"},
    {"slug": "side-of-trunk", "name": "Side of trunk"},
    {"slug": "deep-trunk", "name": "Deep trunk muscles"},
    {"slug": "whole-body", "name": "Whole body"},
    {"slug": "legs", "name": "Legs"},
]

EQUIPMENT = [
    {"slug": "mat", "name": "Exercise mat"},
    {"slug": "chair", "name": "Sturdy chair"},
    {"slug": "wall", "name": "Wall"},
    {"slug": "none", "name": "No equipment"},
    {"slug": "bike", "name": "Exercise bike"},
    {"slug": "pool", "name": "Swimming pool"},
]

_LOW_BACK_PAIN = ["Low back pain"]
_KNEELING = "If kneeling hurts your knees, put a folded towel under them."
_BACKWARDS = "If you have been told to avoid bending backwards, ask your therapist first."
# Walking's §3 target is 150-300 minutes a week; 30 minutes on 5 days is its lower end.
_AS_WALKING = "towards 150 to 300 minutes a week"

EXERCISES = [
    {
        "slug": "knee-to-chest",
        "name": "Knee-to-chest stretch",
        "category": "stretching",
        "regions": ["lower-back", "hips"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A gentle stretch for your lower back and hips, done lying on your back.",
        "steps": [
            "Lie on your back on a mat or a firm bed, with your knees bent and feet flat.",
            "Hold behind one thigh with both hands and gently draw that knee towards your chest.",
            "Stay there for about 5 seconds, breathing normally, then slowly lower your foot.",
            "Do the same with the other leg.",
            "When this feels easy, try bringing both knees up together.",
        ],
        "dose": {"reps": 2, "hold_seconds": 5, "times_per_day": 2, "per_side": True},
        "dose_note": "Do it 2 or 3 times with each leg.",
        "cues": [
            "Keep your head and shoulders relaxed on the floor.",
            "Pull gently: a mild stretch is fine, pain is not.",
        ],
        "precautions": [],
    },
    {
        "slug": "knee-rolls",
        "name": "Knee rolls",
        "category": "mobility",
        "regions": ["lower-back"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Rolling your bent knees slowly from side to side to loosen your lower back.",
        "steps": [
            "Lie on your back with your knees bent, feet flat and together, arms out to the sides.",
            "Keeping your shoulders on the floor, let both knees roll slowly to one side, "
            "only as far as is comfortable.",
            "Bring them back to the middle, then roll them to the other side.",
            "Carry on from side to side at a slow, steady pace.",
        ],
        "dose": {"reps": 8},
        "dose_note": "8 to 10 rolls, changing sides each time. Or hold each side for 5 to 10 "
        "seconds, 2 or 3 times.",
        "cues": [
            "Move slowly and keep both shoulders on the floor.",
            "Breathe out as your knees go over.",
        ],
        "precautions": [],
    },
    {
        "slug": "pelvic-tilt",
        "name": "Pelvic tilt",
        "category": "motor_control",
        "regions": ["lower-back", "pelvis"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Tilting your pelvis to press the small of your back gently towards the floor.",
        "steps": [
            "Lie on your back with your knees bent and feet flat.",
            "Tighten your stomach muscles so the small of your back flattens against the floor "
            "and your pelvis tips up a little.",
            "Hold for about 5 seconds while you keep breathing.",
            "Relax, then do it again.",
        ],
        "dose": {"reps": 5, "hold_seconds": 5},
        "dose_note": "Start with 5 and build up slowly to 30.",
        "cues": [
            "It is a small movement: your bottom stays on the floor.",
            "Do not hold your breath.",
        ],
        "precautions": [],
    },
    {
        "slug": "cat-camel",
        "name": "Cat–camel",
        "category": "mobility",
        "regions": ["whole-spine"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Slowly rounding and then gently dipping your back on your hands and knees.",
        "steps": [
            "Get onto your hands and knees, hands under your shoulders and knees under your hips.",
            "Slowly round your back up towards the ceiling and let your head drop.",
            "Then slowly let your back dip a little as you lift your head.",
            "Move smoothly between the two positions.",
        ],
        "dose": {"reps": 8},
        "dose_note": "8 to 15 slow repetitions.",
        "cues": [
            "Move slowly, and only as far as is comfortable.",
            "Breathe in time with the movement.",
        ],
        "precautions": [_KNEELING],
    },
    {
        "slug": "bottom-to-heels",
        "name": "Bottom-to-heels stretch",
        "category": "stretching",
        "regions": ["lower-back", "hips"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "From your hands and knees, sitting back towards your heels to stretch your "
        "lower back.",
        "steps": [
            "Start on your hands and knees, hands under your shoulders and knees under your hips.",
            "Slowly sit back towards your heels, letting your hands slide forward on the floor.",
            "Stay there for one slow breath.",
            "Come back to your hands and knees.",
        ],
        "dose": {"reps": 8},
        "dose_note": "Hold for one breath each time; 8 to 10 repetitions.",
        "cues": [
            "Only go as far back as is comfortable.",
            "Keep your arms long and relaxed.",
        ],
        "precautions": [_KNEELING],
    },
    {
        "slug": "prone-press-up",
        "name": "Prone press-up",
        "category": "mobility",
        "regions": ["lower-back"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Lying on your front and gently lifting your upper body to bend your back "
        "backwards.",
        "steps": [
            "Lie on your front on a mat with your hands on the floor under your shoulders.",
            "Begin by propping yourself up on your elbows and resting there for a few breaths.",
            "If that is comfortable, slowly push up with your hands, straightening your arms "
            "only as far as feels easy. Keep your hips on the floor.",
            "Lower yourself slowly back down.",
        ],
        "dose": {"reps": 10},
        "dose_note": "About 10 at a time, a few times a day.",
        "cues": [
            "Let your lower back and buttocks stay relaxed.",
            "Keep your hips touching the floor.",
        ],
        "precautions": [_BACKWARDS],
    },
    {
        "slug": "standing-back-bend",
        "name": "Standing back bend",
        "category": "mobility",
        "regions": ["lower-back"],
        "equipment": ["none"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Standing and leaning gently backwards with your hands on your lower back.",
        "steps": [
            "Stand tall with your feet hip-width apart.",
            "Put your hands on the small of your back, fingers pointing down.",
            "Slowly lean backwards, only as far as is comfortable, keeping your knees straight.",
            "Come back to standing up straight.",
        ],
        "dose": {"reps": 5, "times_per_day": 3},
        "dose_note": "An amount to start with; your therapist may suggest more later.",
        "cues": [
            "Look straight ahead rather than up at the ceiling.",
            "Move slowly.",
        ],
        "precautions": [
            _BACKWARDS,
            "Stand near something sturdy you can hold if you feel unsteady.",
        ],
    },
    {
        "slug": "hamstring-stretch",
        "name": "Hamstring stretch",
        "category": "stretching",
        "regions": ["back-of-thigh"],
        "equipment": ["chair"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A seated stretch for the muscles at the back of your thigh.",
        "steps": [
            "Sit near the front edge of a sturdy chair.",
            "Stretch one leg out in front of you, heel on the floor and toes pointing up. Keep "
            "the other foot flat on the floor.",
            "Sit up tall and lean forward slowly from your hips until you feel a gentle stretch "
            "at the back of your thigh.",
            "Hold, then sit up and change legs.",
        ],
        "dose": {"hold_seconds": 30, "per_side": True},
        "dose_note": "",
        "cues": [
            "Keep your back straight and lean from your hips.",
            "Hold still rather than bouncing.",
        ],
        "precautions": ["Make sure the chair cannot slide or tip over."],
    },
    {
        "slug": "piriformis-stretch",
        "name": "Piriformis stretch",
        "category": "stretching",
        "regions": ["buttocks"],
        "equipment": ["chair"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A seated stretch for the deep muscles of your buttock.",
        "steps": [
            "Sit up tall on a sturdy chair with both feet flat on the floor.",
            "Rest the ankle of one leg on the knee of the other.",
            "Keeping your back straight, lean forward slowly until you feel a stretch in the "
            "buttock of the crossed leg.",
            "Hold, then sit up and change sides.",
        ],
        "dose": {"sets": 2, "reps": 4, "hold_seconds": 30, "days_per_week": 7},
        "dose_note": "Stretch each side in turn.",
        "cues": [
            "Keep your back straight.",
            "If your ankle will not reach your knee, rest it on your other shin instead.",
        ],
        "precautions": ["Make sure the chair cannot slide or tip over."],
    },
    {
        "slug": "hip-flexor-stretch",
        "name": "Hip-flexor stretch",
        "category": "stretching",
        "regions": ["front-of-hip"],
        "equipment": ["mat", "wall"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A kneeling stretch for the front of your hip.",
        "steps": [
            "Kneel on one knee on a mat, with the other foot flat on the floor in front of you. "
            "Rest a hand on a wall or chair to keep your balance.",
            "Sit up tall and gently tighten your buttocks.",
            "Shift your weight slowly forward until you feel a stretch at the front of the hip "
            "of the kneeling leg.",
            "Hold, then come back and change legs.",
        ],
        "dose": {"reps": 2, "hold_seconds": 30, "per_side": True},
        "dose_note": "",
        "cues": [
            "Keep your upper body upright; do not arch your back.",
            "A small shift forward is enough.",
        ],
        "precautions": [_KNEELING],
    },
    {
        "slug": "glute-bridge",
        "name": "Glute bridge",
        "category": "strengthening",
        "regions": ["buttocks", "lower-back"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Lifting your hips off the floor to strengthen your buttocks and back.",
        "steps": [
            "Lie on your back with your knees bent, feet flat and hip-width apart, arms by "
            "your sides.",
            "Tighten your stomach and buttock muscles.",
            "Lift your hips until your body makes a straight line from your shoulders to your "
            "knees.",
            "Hold for 3 slow breaths, then lower yourself slowly.",
        ],
        "dose": {"reps": 5},
        "dose_note": "Hold for 3 breaths each time. Start with 5 and build up to 30.",
        "cues": [
            "Push through your heels.",
            "Lift only as high as you can without arching your back.",
        ],
        "precautions": [],
    },
    {
        "slug": "bird-dog",
        "name": "Bird-dog",
        "category": "motor_control",
        "regions": ["trunk", "hips"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "On your hands and knees, reaching out one arm and the opposite leg while "
        "keeping your back steady.",
        "steps": [
            "Get onto your hands and knees, hands under your shoulders, knees under your hips "
            "and back flat.",
            "Gently tighten your stomach muscles.",
            "Slowly reach one arm forward and the opposite leg back until both are in line "
            "with your body.",
            "Hold while keeping your back still, then come back and change sides.",
        ],
        "dose": {"reps": 10, "hold_seconds": 5, "per_side": True},
        "dose_note": "Hold for 5 to 10 seconds each time.",
        "cues": [
            "Imagine a cup of water on your lower back that you do not want to spill.",
            "If the full movement is too hard, start by lifting only an arm or only a leg.",
        ],
        "precautions": [_KNEELING],
    },
    {
        "slug": "dead-bug",
        "name": "Dead bug",
        "category": "motor_control",
        "regions": ["abdominals"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Lying on your back and slowly lowering one arm and the opposite leg while "
        "your back stays still.",
        "steps": [
            "Lie on your back. Raise your arms towards the ceiling and lift your legs so your "
            "knees are bent at a right angle above your hips.",
            "Gently tighten your stomach muscles so your lower back stays close to the floor.",
            "Slowly lower one arm behind your head and the opposite leg towards the floor.",
            "Bring them back, then do the same with the other arm and leg.",
        ],
        "dose": {"sets": 2, "reps": 8},
        "dose_note": "2 to 3 sets of 8 to 12.",
        "cues": [
            "Only lower your arm and leg as far as you can keep your back still.",
            "Breathe out as you lower.",
        ],
        "precautions": [],
    },
    {
        "slug": "side-plank-knees",
        "name": "Side plank from the knees",
        "category": "strengthening",
        "regions": ["side-of-trunk"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Holding yourself up on one forearm and your knees to strengthen the side of "
        "your trunk.",
        "steps": [
            "Lie on your side with your knees bent and your elbow under your shoulder.",
            "Tighten your stomach muscles and lift your hips until your body is straight from "
            "your head to your knees.",
            "Hold, then lower yourself slowly.",
            "Turn over and do the same on the other side.",
        ],
        "dose": {"reps": 8, "hold_seconds": 5, "per_side": True},
        "dose_note": "Hold for 5 to 10 seconds; 8 to 10 on each side.",
        "cues": [
            "Keep your hips stacked one above the other; do not let them roll back.",
            "Keep breathing.",
        ],
        "precautions": [
            "If leaning on your shoulder hurts, ask your therapist about another way to do it."
        ],
    },
    {
        "slug": "elbow-plank",
        "name": "Elbow plank",
        "category": "strengthening",
        "regions": ["trunk"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Holding your body straight on your forearms to strengthen your trunk.",
        "steps": [
            "Lie on your front with your elbows under your shoulders and forearms on the mat.",
            "Tighten your stomach muscles and lift your body so you rest on your forearms and "
            "toes, or on your knees to make it easier.",
            "Keep your body in a straight line and hold.",
            "Lower yourself slowly and rest.",
        ],
        "dose": {"reps": 8, "hold_seconds": 5},
        "dose_note": "Hold for 5 to 10 seconds; 8 to 10 times.",
        "cues": [
            "Do not let your hips sag or stick up.",
            "Look at the floor so your neck stays in line with your back.",
        ],
        "precautions": [],
    },
    {
        "slug": "modified-curl-up",
        "name": "Modified curl-up",
        "category": "strengthening",
        "regions": ["abdominals"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A small lift of your head and shoulders to strengthen your stomach muscles.",
        "steps": [
            "Lie on your back with one knee bent and the other leg straight. Slide your hands, "
            "palms down, under the small of your back.",
            "Gently tighten your stomach muscles.",
            "Lift your head and shoulders just a little off the floor, keeping your neck in "
            "line with your back.",
            "Hold, then lower yourself slowly.",
        ],
        "dose": {"hold_seconds": 10},
        "dose_note": "Your therapist will tell you how many times to repeat it.",
        "cues": [
            "It is a small lift: your shoulder blades barely leave the floor.",
            "Do not tuck your chin onto your chest.",
        ],
        "precautions": [],
    },
    {
        "slug": "deep-abdominal-activation",
        "name": "Deep abdominal activation",
        "category": "motor_control",
        "regions": ["deep-trunk"],
        "equipment": ["mat"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Lying down, gently drawing in your lower stomach muscles and holding.",
        "steps": [
            "Lie on your back with your knees bent and feet flat.",
            "Breathe in. As you breathe out, gently draw your lower stomach in, away from your "
            "waistband.",
            "Hold this gentle tension while you carry on breathing normally.",
            "Relax completely, then do it again.",
        ],
        "dose": {"hold_seconds": 10},
        "dose_note": "Build up slowly to holds of 30 seconds.",
        "cues": [
            "It is a gentle squeeze, not a hard brace.",
            "Your back and pelvis should stay still.",
        ],
        "precautions": [],
    },
    {
        "slug": "walking",
        "name": "Walking",
        "category": "aerobic",
        "regions": ["whole-body"],
        "equipment": ["none"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "A low-impact way to keep your whole body moving, wherever you are.",
        "steps": [
            "Wear comfortable shoes that support your feet.",
            "Start with a walk that feels manageable, on a flat route.",
            "Walk at a pace at which you can still talk.",
            "Every few days, add a few minutes.",
        ],
        "dose": {"minutes": 30, "days_per_week": 5},
        "dose_note": "Work up to this gradually, starting with what feels manageable, "
        f"{_AS_WALKING}. Walking every day is fine.",
        "cues": [
            "Keep your head up and let your arms swing.",
            "Several short walks are fine if one long walk is too much.",
        ],
        "precautions": ["Choose safe, even routes, and take a phone with you."],
    },
    {
        "slug": "stationary-cycling",
        "name": "Stationary cycling",
        "category": "aerobic",
        "regions": ["legs"],
        "equipment": ["bike"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Pedalling an exercise bike: low-impact activity you can do indoors.",
        "steps": [
            "Set the seat so your knee is still slightly bent when the pedal is at its lowest.",
            "Sit up comfortably and hold the handlebars lightly.",
            "Pedal easily for 5 to 10 minutes to warm up.",
            "Then carry on at a steady, comfortable pace.",
        ],
        "dose": {"minutes": 30, "days_per_week": 5},
        "dose_note": "Start with 5 to 10 minutes of easy pedalling to warm up, then build up "
        f"gradually, as for walking, {_AS_WALKING}.",
        "cues": [
            "Keep the resistance light to begin with.",
            "Sit up rather than hunching over the handlebars.",
        ],
        "precautions": [],
    },
    {
        "slug": "swimming-water-exercise",
        "name": "Swimming and water exercise",
        "category": "aerobic",
        "regions": ["whole-body"],
        "equipment": ["pool"],
        "conditions": _LOW_BACK_PAIN,
        "summary": "Swimming, walking in the water or a pool class: low-impact activity for "
        "your whole body.",
        "steps": [
            "Go to a pool with a lifeguard, or go with someone.",
            "Start gently: walk across the shallow end or swim a few easy lengths.",
            "Use any stroke that feels comfortable, and rest at the side whenever you need to.",
            "Add a little more time every week or so.",
        ],
        "dose": {"minutes": 30, "days_per_week": 5},
        "dose_note": f"Build up gradually, as for walking, {_AS_WALKING}.",
        "cues": [
            "Walking in the water or a pool class is a good choice if you are not a confident "
            "swimmer.",
            "Warm up with a few minutes of easy movement.",
        ],
        "precautions": [],
    },
]

# Program templates a therapist starts from (the builder's "Start from"). Doses follow
# CLINICAL.md §3 and its gentle start (NHS inform: about 5 repetitions, three times a day);
# §4: two to four exercises work best. Each item: (exercise slug, dose, notes).
PROGRAM_TEMPLATES = [
    {
        "slug": "low-back-pain-early-phase",
        "name": "Low back pain — early phase",
        "description": "Gentle movement for the first weeks of a flare-up of low back pain.",
        "sessions_per_week": 7,
        "review_after_weeks": 4,
        "items": [
            ("pelvic-tilt", {"reps": 5, "hold_seconds": 5, "times_per_day": 3}, ""),
            (
                "knee-to-chest",
                {"reps": 2, "hold_seconds": 5, "times_per_day": 2, "per_side": True},
                "One leg at a time to begin with.",
            ),
            ("cat-camel", {"reps": 8}, "Slowly, only as far as is comfortable."),
            ("walking", {"minutes": 10, "days_per_week": 7}, "Add a few minutes every few days."),
        ],
    },
    {
        "slug": "sciatica-nerve-friendly-start",
        "name": "Sciatica — nerve-friendly start",
        "description": "Small, comfortable movements for back pain that spreads into one leg.",
        "sessions_per_week": 7,
        "review_after_weeks": 3,
        "items": [
            (
                "knee-rolls",
                {"reps": 8},
                "Stay within the range that does not send pain down the leg.",
            ),
            ("pelvic-tilt", {"reps": 5, "hold_seconds": 5, "times_per_day": 3}, ""),
            ("deep-abdominal-activation", {"reps": 5, "hold_seconds": 10}, ""),
            ("walking", {"minutes": 10, "days_per_week": 7}, "Short, frequent walks are fine."),
        ],
    },
    {
        "slug": "back-pain-building-strength",
        "name": "Back pain — building strength",
        "description": "For when everyday movement is easier: strength for the hips and trunk.",
        "sessions_per_week": 4,
        "review_after_weeks": 6,
        "items": [
            (
                "glute-bridge",
                {"reps": 10, "days_per_week": 4},
                "Hold for three breaths at the top.",
            ),
            ("bird-dog", {"reps": 10, "hold_seconds": 5, "per_side": True, "days_per_week": 4}, ""),
            ("dead-bug", {"sets": 2, "reps": 8, "days_per_week": 4}, ""),
            (
                "side-plank-knees",
                {"reps": 8, "hold_seconds": 5, "per_side": True, "days_per_week": 4},
                "",
            ),
        ],
    },
]

# A demo patient of the first demo therapist, on the first template since 15 days ago, whose
# two weeks of logs show pain not improving, so the therapist's patient list shows an alert
# (CLINICAL.md §5 "Not improving"). Demo credentials, like the staff's.
DEMO_PATIENT = {"email": "alex.patient@example.com", "first_name": "Alex", "last_name": "Morgan"}
DEMO_PATIENT_PASSWORD = "stride-demo-patient-2026"  # noqa: S105 (documented demo credential)
DEMO_PROGRAM_TEMPLATE = "low-back-pain-early-phase"
DEMO_PROGRAM_DAYS = 15  # started this many days ago
# One row per day from the start, oldest first, up to yesterday: (session done, "partly",
# "skipped" or None for no session; usual pain 0-10; pain during exercise; note).
DEMO_LOGS = [
    ("done", 6, 4, "First go. Stiff, but manageable."),
    ("done", 6, 4, ""),
    ("partly", 5, 5, "Stopped the walk early: too cold."),
    ("done", 6, 4, ""),
    (None, 6, None, ""),
    ("done", 7, 5, "Long day at the desk."),
    ("done", 6, 4, ""),
    ("done", 6, 4, ""),
    ("skipped", 5, None, "Busy weekend."),
    ("done", 6, 4, ""),
    ("done", 6, 5, "Still sore in the mornings."),
    ("partly", 6, 4, ""),
    ("done", 7, 5, ""),
    ("done", 6, 4, ""),
    ("done", 6, 4, "Not much change yet."),
]
DEMO_PSFS_ACTIVITIES = [
    "Sitting at my desk for an hour",
    "Picking up my daughter",
    "Walking to the station",
]
# (day from the start, ratings): a check-in at the start and one two weeks later.
DEMO_PSFS = [(0, [4, 3, 5]), (14, [4, 4, 5])]
