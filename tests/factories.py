"""factory_boy factories shared by every test package."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from sales_erp.org.models import Department, User
from sales_erp.org.roles import Role


class DepartmentFactory(factory.django.DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"销售{n}部")


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A staff user; `roles=["sales"]` puts them in those role groups."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测"
    first_name = factory.Sequence(lambda n: f"试{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    department = factory.SubFactory(DepartmentFactory)
    is_staff = True
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(obj: User, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.set(Group.objects.filter(name__in=extracted))
            obj.__dict__.pop("_role_codes", None)


def sales_team() -> dict[str, User]:
    """A leader with two salespeople, and a director above the leader."""
    director = UserFactory.create(username="t_director", roles=[Role.SALES_DIRECTOR])
    leader = UserFactory.create(username="t_leader", roles=[Role.SALES_LEADER], superior=director)
    s1 = UserFactory.create(username="t_sales1", roles=[Role.SALES], superior=leader)
    s2 = UserFactory.create(username="t_sales2", roles=[Role.SALES], superior=leader)
    return {"director": director, "leader": leader, "s1": s1, "s2": s2}
