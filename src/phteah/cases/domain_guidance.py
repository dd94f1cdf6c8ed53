"""What each score (1 very poor … 4 good) means in the standard wellbeing domains (Child
Status Index style, as OSCaR users have them), in English and Khmer. Seeded on the domains
of every organisation (migration 0005 and ``assessment_domains_seed``); each organisation
may change its own on the domain's page."""

# code → ((English, Khmer) for scores 1, 2, 3, 4)
DEFAULT_GUIDANCE: dict[str, tuple[tuple[str, str], ...]] = {
    "food_security": (
        (
            "The child rarely has food to eat and often goes to bed hungry.",
            "កុមារកម្រមានអាហារហូប ហើយជារឿយៗចូលគេងទាំងឃ្លាន។",
        ),
        (
            "The child often has less food than needed and complains of hunger.",
            "កុមារញឹកញាប់មានអាហារតិចជាងតម្រូវការ ហើយតែងត្អូញថាឃ្លាន។",
        ),
        (
            "The child has enough food some of the time, depending on the season or supply.",
            "កុមារមានអាហារហូបគ្រប់គ្រាន់តែក្នុងពេលខ្លះ អាស្រ័យលើរដូវកាល ឬការផ្គត់ផ្គង់ស្បៀង។",
        ),
        (
            "The child is well fed and eats regularly, enough every day.",
            "កុមារមានអាហារហូបគ្រប់គ្រាន់ និងទៀងទាត់ជារៀងរាល់ថ្ងៃ។",
        ),
    ),
    "nutrition_growth": (
        (
            "Very low weight or too short for the age (wasted or stunted): malnourished.",
            "កុមារមានទម្ងន់ទាបខ្លាំង ឬទាបពេកធៀបនឹងអាយុ (ស្គមស្គាំង ឬក្រិន)៖ កង្វះអាហារូបត្ថម្ភ។",
        ),
        (
            "Lower weight, shorter or less energetic than others of the same age.",
            "កុមារមានទម្ងន់ទាប មើលទៅទាបជាង ឬខ្សោយកម្លាំងជាងកុមារដទៃដែលមានអាយុដូចគ្នា។",
        ),
        (
            "Seems to grow well but is less active than others of the same age.",
            "កុមារហាក់ដូចជាលូតលាស់ល្អ ប៉ុន្តែសកម្មតិចជាងកុមារដទៃដែលមានអាយុដូចគ្នា។",
        ),
        (
            "Grows well compared with other children of the same age in the community.",
            "កុមារលូតលាស់ល្អ បើប្រៀបធៀបនឹងកុមារដទៃដែលមានអាយុដូចគ្នានៅក្នុងសហគមន៍។",
        ),
    ),
    "shelter": (
        (
            "The child has no stable, adequate or safe place to live.",
            "កុមារគ្មានទីលំនៅរឹងមាំ សមរម្យ ឬមានសុវត្ថិភាពសម្រាប់រស់នៅទេ។",
        ),
        (
            "The home needs major repairs, is overcrowded or does not keep out rain and heat.",
            "ផ្ទះត្រូវជួសជុលធំ ចង្អៀតពេក ឬមិនការពារពីភ្លៀង និងកម្តៅ។",
        ),
        (
            "The home needs some repairs but is fairly adequate, dry and safe.",
            "ផ្ទះត្រូវជួសជុលខ្លះ ប៉ុន្តែនៅតែសមរម្យ ស្ងួត និងមានសុវត្ថិភាពគួរសម។",
        ),
        (
            "The child lives in a place that is adequate, dry and safe.",
            "កុមាររស់នៅក្នុងទីកន្លែងដែលសមរម្យ ស្ងួត និងមានសុវត្ថិភាព។",
        ),
    ),
    "care": (
        (
            "No adult cares for the child, or the child must care for themselves or others.",
            "គ្មានមនុស្សពេញវ័យណាថែទាំកុមារទេ ឬកុមារត្រូវមើលថែខ្លួនឯង ឬមើលថែអ្នកដទៃ។",
        ),
        (
            "The child is often left alone or with another child, or the carer does not care "
            "about their wellbeing.",
            "កុមារតែងត្រូវទុកចោលតែម្នាក់ឯង ឬឱ្យកុមារផ្សេងមើលថែ ឬអ្នកថែទាំមិនយកចិត្តទុកដាក់ចំពោះសុខុមាលភាពរបស់កុមារ។",
        ),
        (
            "An adult cares for the child, but is limited by illness, age or other demands.",
            "មានមនុស្សពេញវ័យថែទាំកុមារ ប៉ុន្តែមានកម្រិត ដោយសារជំងឺ វ័យចាស់ ឬការងារផ្សេងៗ។",
        ),
        (
            "A main adult carer is involved in the child's life, protects and nurtures them.",
            "កុមារមានអ្នកថែទាំពេញវ័យចម្បងម្នាក់ ដែលយកចិត្តទុកដាក់ ការពារ និងចិញ្ចឹមបីបាច់កុមារ។",
        ),
    ),
    "abuse_exploitation": (
        (
            "The child is abused, sexually or physically, or is in child labour or exploited.",
            "កុមារត្រូវបានគេរំលោភបំពានផ្លូវភេទ ឬផ្លូវកាយ ឬកំពុងជាប់ពលកម្មកុមារ ឬការកេងប្រវ័ញ្ច។",
        ),
        (
            "The child is clearly neglected, overworked or badly treated.",
            "កុមារត្រូវបានគេធ្វេសប្រហែស ឱ្យធ្វើការហួសកម្លាំង ឬប្រព្រឹត្តមិនល្អដាក់យ៉ាងច្បាស់។",
        ),
        (
            "There is some suspicion that the child is neglected, overworked or harmed.",
            "មានការសង្ស័យខ្លះថា កុមារត្រូវបានគេធ្វេសប្រហែស ឱ្យធ្វើការហួសកម្លាំង ឬធ្វើបាប។",
        ),
        (
            "The child does not seem to be abused, neglected, exploited or otherwise harmed.",
            "កុមារហាក់ដូចជាមិនត្រូវបានគេរំលោភបំពាន ធ្វេសប្រហែស កេងប្រវ័ញ្ច ឬធ្វើបាបទេ។",
        ),
    ),
    "legal_protection": (
        (
            "No access to legal protection, and at risk of exploitation (e.g. of losing an "
            "inheritance).",
            "កុមារមិនអាចទទួលបានសេវាការពារផ្លូវច្បាប់ ហើយប្រឈមនឹងការកេងប្រវ័ញ្ច (ឧ. ត្រូវគេដណ្តើមកេរមរតក)។",
        ),
        (
            "No birth certificate and no access to legal protection services.",
            "កុមារគ្មានសំបុត្រកំណើត ហើយក៏មិនអាចទទួលបានសេវាការពារផ្លូវច្បាប់ដែរ។",
        ),
        (
            "No birth certificate, but access to legal protection services when needed.",
            "កុមារគ្មានសំបុត្រកំណើត ប៉ុន្តែអាចទទួលបានសេវាការពារផ្លូវច្បាប់នៅពេលត្រូវការ។",
        ),
        (
            "A birth certificate, and access to legal protection services when needed.",
            "កុមារមានសំបុត្រកំណើត និងអាចទទួលបានសេវាការពារផ្លូវច្បាប់នៅពេលត្រូវការ។",
        ),
    ),
    "wellness": (
        (
            "The child is ill most of the time, or chronically ill.",
            "កុមារឈឺស្ទើរតែគ្រប់ពេល ឬមានជំងឺរ៉ាំរ៉ៃ។",
        ),
        (
            "Often ill in the past month, missing school or work for more than a few days.",
            "កុមារឈឺញឹកញាប់ក្នុងមួយខែចុងក្រោយ ហើយអវត្តមានពីសាលា ឬការងារលើសពីពីរបីថ្ងៃ។",
        ),
        (
            "Ill in the past month, missing school or work for a few days.",
            "កុមារបានឈឺក្នុងមួយខែចុងក្រោយ ហើយអវត្តមានពីសាលា ឬការងារពីរបីថ្ងៃ។",
        ),
        (
            "Healthy: rarely ill in the past month.",
            "កុមារមានសុខភាពល្អ៖ កម្រឈឺក្នុងមួយខែចុងក្រោយ។",
        ),
    ),
    "health_care_services": (
        (
            "The child rarely or never gets the health care they need.",
            "កុមារកម្រ ឬមិនដែលទទួលបានការថែទាំសុខភាពដែលត្រូវការសោះ។",
        ),
        (
            "The child gets the health care they need only sometimes.",
            "កុមារទទួលបានការថែទាំសុខភាពដែលត្រូវការ តែម្តងម្កាល ឬមិនទៀងទាត់។",
        ),
        (
            "Treated when ill, but some care is missing (e.g. vaccinations).",
            "កុមារបានទទួលការព្យាបាលពេលឈឺ ប៉ុន្តែនៅខ្វះការថែទាំខ្លះ (ឧ. វ៉ាក់សាំង)។",
        ),
        (
            "The child has had all the care, vaccinations and treatment they need.",
            "កុមារបានទទួលការថែទាំ ការចាក់វ៉ាក់សាំង និងការព្យាបាលទាំងអស់ដែលត្រូវការ។",
        ),
    ),
    "emotional_health": (
        (
            "The child seems hopeless, very sad, wants to be left alone or wishes to die.",
            "កុមារហាក់ដូចជាអស់សង្ឃឹម ក្រៀមក្រំខ្លាំង ចង់នៅតែម្នាក់ឯង ឬចង់ស្លាប់។",
        ),
        (
            "The child is often sad, withdrawn, irritable, anxious or angry.",
            "កុមារតែងតែក្រៀមក្រំ ឃ្លាតឆ្ងាយពីគេ ឆាប់ខឹង ព្រួយបារម្ភ ឬក្តៅក្រហាយ។",
        ),
        (
            "Mostly happy, but at times anxious, withdrawn or angry.",
            "កុមារភាគច្រើនសប្បាយចិត្ត ប៉ុន្តែម្តងម្កាលព្រួយបារម្ភ ឃ្លាតឆ្ងាយពីគេ ឬខឹង។",
        ),
        (
            "The child seems happy, hopeful and content.",
            "កុមារហាក់ដូចជាសប្បាយចិត្ត មានក្តីសង្ឃឹម និងស្កប់ចិត្ត។",
        ),
    ),
    "social_behaviour": (
        (
            "Serious behaviour problems: stealing, violence, drug use, early sexual activity.",
            "កុមារមានបញ្ហាឥរិយាបថធ្ងន់ធ្ងរ ដូចជាលួច ហិង្សា ប្រើគ្រឿងញៀន ឬសកម្មភាពផ្លូវភេទមុនវ័យ។",
        ),
        (
            "Often disobedient, fights with others or does not get along with them.",
            "កុមារតែងមិនស្តាប់បង្គាប់ វាយតប់ជាមួយអ្នកដទៃ ឬមិនចុះសម្រុងជាមួយគេ។",
        ),
        (
            "Small problems getting along with others: some arguing or disobedience.",
            "កុមារមានបញ្ហាតិចតួចក្នុងការចុះសម្រុងជាមួយអ្នកដទៃ ដូចជាឈ្លោះប្រកែក ឬមិនស្តាប់បង្គាប់ខ្លះ។",
        ),
        (
            "Cooperative, enjoys activities with adults and other children.",
            "កុមារចេះសហការ និងចូលចិត្តចូលរួមសកម្មភាពជាមួយមនុស្សពេញវ័យ និងកុមារដទៃ។",
        ),
    ),
    "education_performance": (
        (
            "Serious problems learning, or not in school or not learning at all.",
            "កុមារមានបញ្ហាធ្ងន់ធ្ងរក្នុងការរៀន ឬមិនបានទៅសាលា ឬមិនបានរៀនសោះ។",
        ),
        (
            "Falling behind, or attends only sometimes.",
            "កុមាររៀនធ្លាក់ក្រោយគេ ឬចូលរៀនតែម្តងម្កាល។",
        ),
        (
            "Learning well, but attendance or progress is irregular.",
            "កុមាររៀនបានល្អ ប៉ុន្តែការចូលរៀន ឬការរីកចម្រើនមិនទៀងទាត់។",
        ),
        (
            "Learning well, gaining life skills and progressing as expected.",
            "កុមាររៀនបានល្អ អភិវឌ្ឍជំនាញជីវិត និងរីកចម្រើនតាមការរំពឹងទុក។",
        ),
    ),
    "work_education": (
        (
            "Not in school, training or work, or in harmful work.",
            "យុវជនមិនបានរៀន មិនបានចូលវគ្គបណ្តុះបណ្តាល និងគ្មានការងារ ឬធ្វើការងារដែលបង្កគ្រោះថ្នាក់។",
        ),
        (
            "Enrolled but rarely attends, or the work is unsafe or too heavy.",
            "យុវជនបានចុះឈ្មោះរៀន ប៉ុន្តែកម្រចូលរៀន ឬធ្វើការងារដែលគ្មានសុវត្ថិភាព ឬធ្ងន់ពេក។",
        ),
        (
            "Enrolled but attends irregularly, or the work is not always suitable.",
            "យុវជនបានចុះឈ្មោះរៀន ប៉ុន្តែចូលរៀនមិនទៀងទាត់ ឬការងារមិនតែងតែសមស្រប។",
        ),
        (
            "In school or training, or in suitable and safe work.",
            "យុវជនកំពុងរៀននៅសាលា ឬវគ្គបណ្តុះបណ្តាល ឬធ្វើការងារដែលសមស្រប និងមានសុវត្ថិភាព។",
        ),
    ),
}

GUIDANCE_FIELDS = tuple(
    f"guidance_{score}{suffix}" for score in (1, 2, 3, 4) for suffix in ("", "_km")
)


def default_guidance(code: str) -> dict[str, str]:
    """The guidance fields of a standard domain ({} for a domain of one's own)."""
    texts = DEFAULT_GUIDANCE.get(code)
    if not texts:
        return {}
    values = {}
    for score, (english, khmer) in enumerate(texts, start=1):
        values[f"guidance_{score}"] = english
        values[f"guidance_{score}_km"] = khmer
    return values


# The longest guidance text a score may have (a sentence or two).
GUIDANCE_LENGTH = 500
